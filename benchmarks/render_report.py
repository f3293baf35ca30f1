"""Render a report page in headless Chromium: screenshot, console errors, blankness.

Usage::

    python benchmarks/render_report.py report.html report.png [--height 4000]

Opens the page the way a person would (``file://``, no network), writes the
screenshot, and prints what the browser's console said. Exits 1 when the
console reported anything (a script error, a resource the page's Content
Security Policy blocked) or the screenshot is blank, 2 when no Chromium is
installed (``apt-get install chromium`` on Debian or Ubuntu). Look at the
screenshot too: the check says the page renders, not that it reads well.
"""

import argparse
import sys

from _common import REPO

# the browser check is test tooling (tests/_chromium.py), not installed with the library
sys.path.insert(0, str(REPO))
from tests._chromium import find_chromium, render_in_chromium  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html")
    parser.add_argument("png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--chromium", default=None, help="path of the browser")
    args = parser.parse_args(argv)
    if (args.chromium or find_chromium()) is None:
        print("No Chromium found: apt-get install chromium", file=sys.stderr)
        return 2
    result = render_in_chromium(args.html, args.png, width=args.width, height=args.height,
                                executable=args.chromium)
    print(f"screenshot: {args.png} ({args.width}x{args.height}); "
          f"{100 * result['ink']:.1f}% of the pixels differ from the background")
    for line in result["console"]:
        print("console:", line)
    if result["returncode"] != 0:
        print(result["stderr"][-3000:], file=sys.stderr)
    bad = result["returncode"] != 0 or result["console"] or result["ink"] < 0.02
    print("FAILED" if bad else "OK: rendered without console messages")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
