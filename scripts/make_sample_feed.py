"""Rebuild src/paperterm/data/sample_feed.json: the feed a brand-new user sees offline.

It holds real, unmodified API items: the 40 most upvoted papers of the last feed week in the
fixture collection (2026-08-17 .. 2026-08-21), most upvoted first.

    python scripts/make_sample_feed.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = ROOT / "tests" / "fixtures" / "hf-api" / "collection" / "daily_papers_items.jsonl.gz"
OUT = ROOT / "src" / "paperterm" / "data" / "sample_feed.json"
FIRST_DAY, LAST_DAY, COUNT = "2026-08-17", "2026-08-21", 40


def main() -> None:
    items = []
    with gzip.open(COLLECTION, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            day = item["paper"].get("submittedOnDailyAt", "")[:10]
            if FIRST_DAY <= day <= LAST_DAY:
                items.append(item)
    items.sort(key=lambda item: -item["paper"]["upvotes"])
    sample = {
        "about": "Real Hugging Face Daily Papers items, feed days "
        f"{FIRST_DAY}..{LAST_DAY}, shown when nothing is cached and the network is unreachable.",
        "captured_at": f"{LAST_DAY}T12:00:00Z",
        "items": items[:COUNT],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(sample, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(sample['items'])} papers")


if __name__ == "__main__":
    main()
