"""Telegram bot under load: N simulated people at once through a Bot API on 127.0.0.1.

    python -m bench.telegram_load [--people 200] [--runs 3] [--script start]
                                  [--bot serve|scripted] [--no-rate-limit] [--sequential]

Starts the fake Bot API server (``tests.botapi``) in this process and the bot in
a subprocess: ``rightsbot serve`` with a throw-away config and storage folder
(``--bot serve``, the real journey), or the Telegram door around the scripted
test journey (``--bot scripted``: measures the door alone, not the journey).
Every person runs the script at the same moment, step by step. Per step it
measures the reply latency: from the moment the update is available to the bot
(queued in the server) to the bot's first reply call for it. Reported per run:
p50/p95/max latency, updates handled per second, lost updates (no reply within
``--timeout``), duplicated updates (handed out twice, or more replies than
the script expects). A warm-up run of 5 people precedes the measured runs.

The outgoing rate limit stays on by default (python-telegram-bot's
AIORateLimiter, ~30 messages/s overall, which is Telegram's own limit), so with
200 people the latency shows the queue behind that limit. ``--no-rate-limit``
(scripted bot only) isolates the door's own cost; ``--sequential`` is the
baseline: python-telegram-bot's default of one update at a time.

Scripts are data (``SCRIPTS``): a tuple of steps, each an action ("text",
"press", "photo") with its value and either the exact number of replies the bot
sends for it, or a phrase (``until``) of the reply that ends the step (for the
real journey, whose progress messages vary). For ``until`` steps the "whole
turn" time (update queued -> that reply) is reported too. ``check`` and
``letters`` follow the real journey (``tests/journey`` has the same path).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.botapi import BotApiServer, NoReply, SimulatedUser, wait_until

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Step:
    action: str                # "text" | "press" | "photo"
    value: str = ""            # text to send, button label/data to press, or photo seed
    replies: int = 1           # messages or edits the bot sends in answer (exactly) ...
    until: str | None = None   # ... or: read replies until one shows this (text, file, button)


def _journey(*steps: tuple[str, str, str]) -> tuple[Step, ...]:
    return tuple(Step(action, value, until=until) for action, value, until in steps)


CHECK_PIPA = _journey(
    ("text", "/start", "I agree, let's start"),
    ("press", "I agree, let's start", "How would you like to check?"),
    ("press", "Flickr photo links", "Send one or more Flickr photo links"),
    ("text", "1808093328", "People In Photo Albums (PIPA)"),
)
LETTERS = CHECK_PIPA + _journey(
    ("press", "Write letters", "Where do you live?"),
    ("press", "Illinois", "Where did you upload these photos from"),
    ("press", "Same as where I live now", "full name"),
    ("text", "Ann Example", "postal address"),
    ("text", "12 Main St\nSpringfield, IL 62701\nUSA", "email address"),
    ("text", "ann@example.org", "How do you want to sign?"),
    ("press", "Typed signature", "Illinois law"),
    ("press", "Preserve until resolved, then destroy", "Tap a company"),
    ("press", "Done", "Please check before I make your letters"),
    ("press", "Make my letters", "What next?"),
)

SCRIPTS: dict[str, tuple[Step, ...]] = {
    # first contact: /start, answered with the welcome and its consent buttons
    "start": (Step("text", "/start"),),
    # the real journey: consent, then a Flickr photo ID that the demo index has in PIPA
    "check": CHECK_PIPA,
    # ... and on through the letter form to the letters (a ZIP of PDFs and .eml drafts)
    "letters": LETTERS,
    # the scripted test journey only: five texts, one echo each
    "echo": tuple(Step("text", f"n{i}") for i in range(5)),
}
SCRIPT_BOTS = {"start": ("serve", "scripted"), "check": ("serve",), "letters": ("serve",),
               "echo": ("scripted",)}


@dataclass
class RunResult:
    people: int
    latencies: list[float]
    updates: int
    wall: float
    lost: int
    duplicated: int
    turns: dict[int, list[float]] = field(default_factory=dict)  # step -> times to its reply
    firsts: dict[int, list[float]] = field(default_factory=dict)  # step -> times to a first reply

    def line(self, label: str) -> str:
        lat = sorted(self.latencies) or [float("nan")]
        text = (f"{label:>8}  people={self.people:<4} p50={percentile(lat, 50) * 1000:8.1f} ms  "
                f"p95={percentile(lat, 95) * 1000:8.1f} ms  max={lat[-1] * 1000:8.1f} ms  "
                f"{self.updates / self.wall:7.1f} updates/s  lost={self.lost}  "
                f"duplicated={self.duplicated}")
        if self.turns:
            turns = sorted(t for step in self.turns.values() for t in step)
            text += (f"  whole turn p50={percentile(turns, 50) * 1000:.1f} ms "
                     f"p95={percentile(turns, 95) * 1000:.1f} ms")
        return text


def percentile(values: list[float], pct: int) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(pct / 100 * (len(values) - 1))))]


def photo(seed: int) -> bytes:
    from PIL import Image
    img = Image.new("RGB", (1600, 1200), (seed % 256, (seed * 7) % 256, 90))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def shown(message: object) -> str:
    """What a person sees of a bot message: text or caption, file name, button labels."""
    parts = [getattr(message, "text", None) or getattr(message, "caption", None) or "",
             getattr(message, "filename", None) or ""]
    parts += [label for label, _ in getattr(message, "buttons", [])]
    return " ".join(parts)


async def drive(server: BotApiServer, person: SimulatedUser, script: tuple[Step, ...],
                timeout: float, turns: dict[int, list[float]],
                think: tuple[float, float] = (0.0, 0.0),
                firsts: dict[int, list[float]] | None = None) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    lost = sent = 0
    rng = random.Random(person.user_id)
    for number, step in enumerate(script):
        if think[1] > 0:                       # a person reads, thinks, types
            await asyncio.sleep(rng.uniform(*think))
        if step.action == "text":
            update_id = person.send_text(step.value)
        elif step.action == "press":
            update_id = person.press(step.value)
        elif step.action == "photo":
            update_id = person.send_photo(photo(int(step.value or 0)))
        else:
            raise ValueError(f"unknown step action {step.action!r}")
        sent += 1
        queued = server.world.update_times[update_id]
        try:
            index = 0
            while True:
                event = await person.wait_for_event(timeout)
                if index == 0:
                    latencies.append(event.at - queued)
                    if firsts is not None:
                        firsts.setdefault(number, []).append(event.at - queued)
                index += 1
                if step.until is None and index >= step.replies:
                    break
                if step.until is not None and step.until in shown(event.message):
                    turns.setdefault(number, []).append(event.at - queued)
                    break
        except NoReply:
            lost += 1
            break
    return latencies, lost, sent


async def run_once(server: BotApiServer, script: tuple[Step, ...], people: int, first_id: int,
                   timeout: float, think: tuple[float, float] = (0.0, 0.0)) -> RunResult:
    persons = [server.user(first_id + i, f"Person{i}") for i in range(people)]
    before = server.deliveries()
    start = time.monotonic()
    turns: dict[int, list[float]] = {}
    firsts: dict[int, list[float]] = {}
    outcomes = await asyncio.gather(*(drive(server, p, script, timeout, turns, think, firsts)
                                      for p in persons))
    wall = time.monotonic() - start
    await asyncio.sleep(1.0)           # late extra replies would show up as duplicates
    extra = 0
    if all(s.until is None for s in script):     # exact reply counts: extras are duplicates
        expected = sum(s.replies for s in script)
        extra = sum(max(0, len([e for e in p.events if e.kind != "action"]) - expected)
                    for p in persons)
    after = server.deliveries()
    repeated = sum(count - 1 for uid, count in after.items()
                   if uid not in before and count > 1)
    return RunResult(people, [x for o in outcomes for x in o[0]], sum(o[2] for o in outcomes),
                     wall, sum(o[1] for o in outcomes), extra + repeated, turns, firsts)


def start_bot(server: BotApiServer, kind: str, workdir: Path, no_rate_limit: bool,
              sequential: bool = False) -> subprocess.Popen:
    env = dict(os.environ)
    if kind == "serve":
        config = workdir / "config.toml"
        config.write_text(
            f'[index]\npath = "{workdir / "index.sqlite"}"\n'
            f'[storage]\npath = "{workdir / "storage"}"\n'
            f'[letters]\noutput_dir = "{workdir / "letters"}"\n'
            f'[telegram]\nbase_url = "{server.base_url}"\nbase_file_url = "{server.base_file_url}"\n'
            '[logging]\nlevel = "WARNING"\n')
        env["TELEGRAM_BOT_TOKEN"] = server.token
        env.pop("FLICKR_API_KEY", None)
        argv = [sys.executable, "-m", "bot", "serve", "--config", str(config)]
    else:
        argv = [sys.executable, "-m", "tests.telegram.run_scripted_bot", "--base-url",
                server.base_url, "--file-url", server.base_file_url, "--token", server.token]
        if no_rate_limit:
            argv.append("--no-rate-limit")
        if sequential:
            argv.append("--sequential")
    log = open(workdir / "bot.log", "w")
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    ready = wait_until(lambda: bool(server.calls("getUpdates")) or proc.poll() is not None, 120)
    if not ready or proc.poll() is not None:
        log.close()
        raise SystemExit(f"the bot did not start; its output:\n{(workdir / 'bot.log').read_text()}")
    return proc


async def main_async(args: argparse.Namespace) -> None:
    script = SCRIPTS[args.script]
    if args.bot not in SCRIPT_BOTS[args.script]:
        raise SystemExit(f"script {args.script!r} runs only against: "
                         f"{', '.join(SCRIPT_BOTS[args.script])}")
    if (args.no_rate_limit or args.sequential) and args.bot == "serve":
        raise SystemExit("--no-rate-limit and --sequential work only with --bot scripted")
    think = parse_think(args.think)
    print(f"# {args.people} people, script {args.script!r} ({len(script)} steps), bot "
          f"think time {think[0]:g}-{think[1]:g} s, "
          f"{args.bot}, rate limit {'off' if args.no_rate_limit else 'on'}, "
          f"{'sequential' if args.sequential else 'concurrent'} updates, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, BotApiServer() as server:
        proc = start_bot(server, args.bot, Path(tmp), args.no_rate_limit, args.sequential)
        try:
            await run_once(server, script, 5, 10_000_000, args.timeout)          # warm-up
            results = []
            for run in range(args.runs):
                result = await run_once(server, script, args.people,
                                        20_000_000 + run * 100_000, args.timeout, think)
                results.append(result)
                print(result.line(f"run {run + 1}"), flush=True)
            turns = [percentile(sorted(t for ts in r.turns.values() for t in ts), 50)
                     for r in results if r.turns]
            if any(r.turns for r in results):
                print("whole turn per step, p50 / p95 over all runs:")
                for number, step in enumerate(script):
                    times = sorted(t for r in results for t in r.turns.get(number, []))
                    if times:
                        print(f"  {number + 1:2d} {step.action} {step.value[:28]!r:32} "
                              f"{percentile(times, 50) * 1000:8.1f} ms {percentile(times, 95) * 1000:8.1f} ms")
            report_split(script, results)
            print(f"median of {args.runs} runs: "
                  f"p50={statistics.median(percentile(sorted(r.latencies), 50) for r in results) * 1000:.1f} ms  "
                  f"p95={statistics.median(percentile(sorted(r.latencies), 95) for r in results) * 1000:.1f} ms  "
                  f"{statistics.median(r.updates / r.wall for r in results):.1f} updates/s  "
                  f"lost={sum(r.lost for r in results)}  "
                  f"duplicated={sum(r.duplicated for r in results)}"
                  + (f"  whole turn p50={statistics.median(turns) * 1000:.1f} ms" if turns else "")
                  + f"  load average after {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()


PDF_STEPS = ("Make my letters",)


def report_split(script: tuple[Step, ...], results: list[RunResult]) -> None:
    """Non-PDF steps (first reply) and letter delivery (the whole turn), over all runs."""
    quick = sorted(t for r in results for n, ts in r.firsts.items()
                   if script[n].value not in PDF_STEPS for t in ts)
    pdf = sorted(t for r in results for n, ts in r.turns.items()
                 if script[n].value in PDF_STEPS for t in ts)
    if quick:
        print(f"non-PDF steps, first reply: p50={percentile(quick, 50) * 1000:.1f} ms  "
              f"p95={percentile(quick, 95) * 1000:.1f} ms  (n={len(quick)})")
    if pdf:
        print(f"letter delivery, whole turn: p50={percentile(pdf, 50) * 1000:.1f} ms  "
              f"p95={percentile(pdf, 95) * 1000:.1f} ms  (n={len(pdf)})")


def parse_think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    return float(low), float(high or low)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_load")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--script", choices=sorted(SCRIPTS), default="start")
    parser.add_argument("--bot", choices=("serve", "scripted"), default="serve")
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--sequential", action="store_true",
                        help="baseline: the bot handles one update at a time (PTB's default)")
    parser.add_argument("--think", default="0",
                        help="seconds a person waits before each step, MIN,MAX drawn at random "
                             "(default 0: everyone acts at the same moment, the worst case)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for a reply before counting the update lost")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
