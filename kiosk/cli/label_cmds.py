"""Printable labels: ``labels slots|badges|assets|commands -o FILE.pdf [--png DIR]``.

The codes come from :mod:`kiosk.ops.codes` (built from ``[kiosk.patterns]``
and checked by the kiosk's classifier); the sheets from
:mod:`kiosk.interop.labels`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Parser, actions
from kiosk.config.settings import load_config
from kiosk.errors import InvalidInput
from kiosk.interop import labels as sheets
from kiosk.ops import codes
from kiosk.sanitize import clean

_KINDS = {
    "slots": ("Labels for every slot of these cases (all cases by default).", "CASE", "slots"),
    "badges": (
        "Badge cards: the code, the name under it (everyone by default).",
        "BADGE",
        "people",
    ),
    "assets": (
        "Asset tags with name and model (every asset not retired by default).",
        "TAG",
        "assets",
    ),
    "commands": ("The CMD:CONFIRM and CMD:CANCEL cards, for the day a button breaks.", None, ""),
}


def _labels(parser: Parser) -> None:
    sub = actions(parser, "labels", metavar="KIND")
    for kind, (summary, item, _) in _KINDS.items():
        p = sub.add(kind, summary, f"assettrack labels {kind} -o {kind}.pdf --sheet avery-l7163")
        if item:
            p.add_argument("items", nargs="*", metavar=item)
        p.add_argument("-o", "--output", metavar="FILE.pdf", help="write the sheets as a PDF")
        p.add_argument(
            "--sheet",
            default="avery-l7163",
            choices=sorted(sheets.SHEETS),
            help="label stock: " + "; ".join(f"{n}: {s.summary}" for n, s in sheets.SHEETS.items()),
        )
        p.add_argument(
            "--symbology",
            default="code128",
            choices=tuple(sheets.SYMBOLOGIES),
            help="code128 (default: most handheld scanners read it), qr or datamatrix",
        )
        p.add_argument("--png", metavar="DIR", help="also one PNG per label, for label printers")
        p.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
        p.set_defaults(func=labels, kind=kind)


BUILDERS = {"labels": _labels}


def labels(ctx: Context, args: argparse.Namespace) -> Result:
    if not args.output and not args.png:
        raise InvalidInput("give -o FILE.pdf, --png DIR or both", code="usage")
    if not 72 <= args.dpi <= 1200:
        raise InvalidInput("--dpi must be 72 to 1200")
    layout = sheets.Layout(sheets.SHEETS[args.sheet], args.symbology)
    made = codes.LabelCodes(load_config(ctx.args.config).kiosk.patterns)
    items = list(getattr(args, "items", []))
    if args.kind == "commands":
        chosen = made.commands()
    else:
        build = {
            "slots": codes.slot_labels,
            "badges": codes.badge_labels,
            "assets": codes.asset_labels,
        }[args.kind]
        with ctx.db.read() as conn:
            chosen = build(conn, made, items)
    if not chosen:
        raise codes.nothing_to_print(_KINDS[args.kind][2])
    data: dict[str, object] = {
        "labels": len(chosen),
        "codes": [label.code for label in chosen],
        "sheet": args.sheet,
        "symbology": args.symbology,
    }
    done = []
    if args.output:
        pages = sheets.write_pdf(chosen, layout, Path(args.output))
        data.update(pdf=args.output, pages=pages)
        done.append(f"{pages} page(s) in {clean(args.output)}")
    if args.png:
        files = sheets.write_pngs(chosen, layout, Path(args.png), args.dpi)
        data.update(png=args.png, png_files=[str(f) for f in files])
        done.append(f"{len(files)} PNG(s) in {clean(args.png)}")
    return Result(data, f"{len(chosen)} {args.kind} labels: " + ", ".join(done))
