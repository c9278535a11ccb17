"""`python -m paperterm`."""

from paperterm.launch import main

raise SystemExit(main())
