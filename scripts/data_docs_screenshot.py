"""Screenshot of a GX Data Docs page for the documentation (Debian's Chromium via Playwright).

.venv/bin/python scripts/data_docs_screenshot.py <page.html> docs/screenshots/data-docs-teachers.png
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(page_path: str, out: str) -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out, full_page=True)
        browser.close()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
