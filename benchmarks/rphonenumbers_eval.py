"""Should rphonenumbers (Rust-backed, drop-in for phonenumbers) be an optional accelerator?

Only if it gives identical answers. This compares parse → valid? → E.164 → reason inputs
for the benchmark's realistic values and for random numbers in every country code, and
times both. Needs `pip install rphonenumbers`. Run: python benchmarks/rphonenumbers_eval.py
"""

from __future__ import annotations

import random
import sys
import time

import phonenumbers

try:
    import rphonenumbers
except ImportError:
    sys.exit("pip install rphonenumbers first")

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench import realistic_values


def verdicts(engine: object, texts: list[str]) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for text in texts:
        try:
            number = engine.parse(text, None)  # type: ignore[attr-defined]
        except engine.NumberParseException as error:  # type: ignore[attr-defined]
            out.append(("error", int(error.error_type)))
            continue
        out.append(
            (
                engine.is_valid_number(number),  # type: ignore[attr-defined]
                engine.format_number(number, 0),  # type: ignore[attr-defined]
                int(engine.is_possible_number_with_reason(number)),
            )
        )  # type: ignore[attr-defined]
    return out


def compare(label: str, texts: list[str]) -> None:
    started = time.perf_counter()
    ours = verdicts(phonenumbers, texts)
    middle = time.perf_counter()
    theirs = verdicts(rphonenumbers, texts)
    done = time.perf_counter()
    differ = [(t, a, b) for t, a, b in zip(texts, ours, theirs, strict=True) if a != b]
    print(
        f"{label}: {len(texts):,} inputs, phonenumbers {middle - started:.1f} s, "
        f"rphonenumbers {done - middle:.1f} s, {len(differ)} different answers"
    )
    for text, a, b in differ[:5]:
        print(f"   {text}: phonenumbers {a}, rphonenumbers {b}")


def main() -> None:
    values = realistic_values(1_048_575)
    texts = [f"+{v}" if isinstance(v, int) else str(v) for v in values]
    texts = [t if t.startswith("+") else "+" + t.lstrip("0") for t in texts]
    compare("benchmark inputs", texts)
    chance = random.Random(5)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    randoms = [f"+{chance.choice(codes)}{chance.randrange(10**9, 10**12)}" for _ in range(300_000)]
    compare("random numbers, every country code", randoms)
    lengths = [
        f"+{chance.choice(codes)}{chance.randrange(10 ** chance.randint(3, 12)):d}"
        for _ in range(300_000)
    ]
    compare("random numbers of 4 to 13 digits", lengths)


if __name__ == "__main__":
    main()
