"""A synthetic campaign run end to end: wall time, peak memory, per-letter cost, kill and resume.

    python -m bench.campaign_run [--members N] [--workers W] [--skip-resume] [--keep DIR]

Builds a campaign of N members (default 10,000; fictional names, each with the PIPA
photo of the demo index) living in California, Germany and Colorado, whose targets name
three companies tied to PIPA (Meta, UC Berkeley, SenseTime): three letters per member,
all sent by the organisation, so every member is in three sealed bundles. Then:

1. a clean ``python -m bot campaign run`` (a subprocess): wall time, CPU time of the run
   and its workers, and peak memory: the run's and its workers' memory summed, sampled
   every 0.1 s from /proc (a spike shorter than that can be missed), as PSS (shared
   library pages split between the processes) and as RSS (counted in each: an upper bound);
2. the per-letter cost (CPU seconds of the run / letters) against this machine's single
   letter, measured here as in bench/letters_pdf.py (compose + render_pdf, and + seal);
3. a run killed with SIGKILL (with its workers) once half the member folders exist, then
   resumed: total wall time, and whether the manifest's and every file's sha256 equal the
   clean run's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPA_PHOTO = "1808093328"
HOMES = (("US-CA", "9 Ocean Ave", "Los Angeles, CA 90001"),
         ("DE", "Hauptstraße 5", "10115 Berlin"),
         ("US-CO", "1 Colfax Ave", "Denver, CO 80202"))

CAMPAIGN = """slug = "bench-campaign"
join_code = "bench"
organisers = [111]
deadline_days = 30

[organisation]
name = "Bench Advocacy Group"
address = ["1 Example Street", "10117 Berlin", "Germany"]
signatory = "Dana Organiser"
email = "campaign@bench.example"
sign_key = "key.pem"
sign_cert = "cert.pem"

[targets]
datasets = ["pipa"]
companies = ["meta", "uc-berkeley", "sensetime"]
kinds = []
"""


def build(root: Path, members: int) -> tuple[Path, Path]:
    from bot.campaigns.definition import load_campaign
    from bot.campaigns.members import Roster, make_member
    from bot.letters.keys import new_key_files
    folder = root / "campaign"
    folder.mkdir(parents=True)
    new_key_files("Bench Advocacy Group", folder)
    toml = folder / "campaign.toml"
    toml.write_text(CAMPAIGN, encoding="utf-8")
    config = root / "config.toml"
    config.write_text(f'[index]\npath = "{root / "index.sqlite"}"\ndemo = true\n'
                      f'[storage]\npath = "{root / "storage"}"\n', encoding="utf-8")
    campaign = load_campaign(toml)
    rows = []
    for i in range(members):
        residence, line1, line2 = HOMES[i % len(HOMES)]
        rows.append(make_member(member_id=f"m{i:06d}", name=f"Member Number {i}",
                                address=(line1, line2), email=f"member{i}@example.org",
                                residence=residence, uploaded_from=residence, shown="me",
                                flickr=(PIPA_PHOTO,), authorization=f"PAPER-{i:06d}"))
    Roster.open(campaign).upsert_many(rows)
    return toml, config


def _pss(pid: int) -> int | None:
    """Proportional set size (bytes): shared pages (libraries, fonts) split between the
    processes sharing them, so a sum over processes does not count them twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def tree_memory(pid: int, parts: list | None = None) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes of ``pid`` and all its descendants, from /proc;
    ``parts`` gets (pid, PSS) of each process, the run itself first."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    family, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    pss = [_pss(p) for p in family]
    if parts is not None:
        parts[:] = sorted(((p, v if v is not None else rss.get(p, 0)) for p, v in zip(family, pss)),
                          key=lambda item: (item[0] != pid, item[0]))
    return (sum(rss.get(p, 0) for p in family),
            sum(v if v is not None else rss.get(p, 0) for p, v in zip(family, pss)))


class Run:
    """One ``campaign run`` subprocess, with wall time and sampled peak memory."""

    def __init__(self, toml: Path, config: Path, out: Path, workers: int, date: str):
        self.args = [sys.executable, "-m", "bot", "campaign", "run", str(toml), "--out", str(out),
                     "--config", str(config), "--date", date, "--workers", str(workers), "--json"]
        self.out, self.peak, self.peak_pss = out, 0, 0
        self.peak_parts: list[tuple[int, int]] = []    # (pid, PSS) at the PSS peak
        self.peak_at = 0.0                             # seconds into the run

    def start(self) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, start_new_session=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while self.proc.poll() is None:
            parts: list[tuple[int, int]] = []
            rss, pss = tree_memory(self.proc.pid, parts)
            if pss > self.peak_pss:
                self.peak_parts, self.peak_at = parts, time.perf_counter() - self.started
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            time.sleep(0.1)

    def peak_text(self) -> str:
        """Where the PSS peak was: the run's own share, then each worker's."""
        shares = [f"{v / 2**20:.0f}" for _, v in self.peak_parts]
        return (f"at the peak ({self.peak_at:.0f} s in): run {shares[0] if shares else '?'} MB, "
                f"other processes {', '.join(shares[1:]) or 'none'} MB")

    def wait(self) -> float:
        self.proc.communicate()
        self._sampler.join()
        return time.perf_counter() - self.started

    def kill_when(self, members_done: int) -> float:
        folder = self.out / "members"
        while self.proc.poll() is None:
            if folder.is_dir() and sum(1 for _ in folder.glob("*/member.json")) >= members_done:
                os.killpg(self.proc.pid, signal.SIGKILL)
                break
            time.sleep(0.2)
        return self.wait()


def sha_tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def single_letter_ms(runs: int = 30) -> tuple[float, float]:
    """compose + render_pdf, and + Sealer.seal, medians in ms (bench.letters_pdf's letter)."""
    from bench.letters_pdf import letter_input, median_ms
    from bot.letters.compose import compose_letter
    from bot.letters.keys import new_key_files
    from bot.letters.pdf import render_pdf
    from bot.letters.rules import load_rules
    from bot.letters.seal import Sealer
    from bot.letters.templates import LetterTemplates
    request, rules, templates = letter_input(), load_rules(), LetterTemplates("en")

    def make() -> bytes:
        return render_pdf(compose_letter(request, rules=rules, templates=templates,
                                         deadline_days=30).document)
    render = median_ms(make, runs)
    with tempfile.TemporaryDirectory() as tmp:
        files = new_key_files("Bench", Path(tmp))
        sealer = Sealer.from_files(files.key, files.cert)
        sealed = median_ms(lambda: sealer.seal(make()), runs)
    return render, sealed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.campaign_run")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-resume", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-campaign-"))
    root.mkdir(parents=True, exist_ok=True)
    date = time.strftime("%Y-%m-%d", time.gmtime())
    try:
        start = time.perf_counter()
        toml, config = build(root, args.members)
        print(f"built {args.members:,} members in {time.perf_counter() - start:.1f} s "
              f"({os.cpu_count()} cores, {args.workers} workers)")
        render_ms, sealed_ms = single_letter_ms()
        print(f"single letter (bench.letters_pdf's): compose + render_pdf {render_ms:.1f} ms, "
              f"+ seal {sealed_ms:.1f} ms")

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        clean = Run(toml, config, root / "clean", args.workers, date)
        clean.start()
        wall = clean.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if clean.proc.returncode != 0:
            print(f"the clean run failed (exit {clean.proc.returncode})")
            return 1
        manifest = (root / "clean" / "manifest.csv").read_bytes()
        letters = manifest.count(b"\r\n") - 1
        bundles = len(list((root / "clean" / "bundles").glob("*.pdf")))
        size = sum(p.stat().st_size for p in (root / "clean").rglob("*") if p.is_file())
        per_letter = cpu / letters * 1000
        print(f"clean run: {wall:.1f} s wall, {cpu:.1f} s CPU, peak memory {clean.peak_pss / 2**20:.0f} MB PSS, "
              f"{clean.peak / 2**20:.0f} MB RSS (run + workers, summed, sampled), {letters:,} letters, {bundles} sealed bundles, "
              f"{size / 2**30:.2f} GiB written (ZIP included)")
        print(f"per letter: {per_letter:.1f} ms CPU = {per_letter / render_ms:.2f}x compose+render, "
              f"{per_letter / sealed_ms:.2f}x compose+render+seal; "
              f"{wall * args.workers / letters * 1000:.1f} ms of worker wall time")
        print(clean.peak_text())
        print(f"manifest sha256 {hashlib.sha256(manifest).hexdigest()}")
        if args.skip_resume:
            return 0
        killed = Run(toml, config, root / "killed", args.workers, date)
        killed.start()
        first = killed.kill_when(args.members // 2)
        done = sum(1 for _ in (root / "killed" / "members").glob("*/member.json"))
        resumed = Run(toml, config, root / "killed", args.workers, date)
        resumed.start()
        second = resumed.wait()
        same_manifest = (root / "killed" / "manifest.csv").read_bytes() == manifest
        same_tree = sha_tree(root / "killed") == sha_tree(root / "clean")
        print(f"killed at {done:,} of {args.members:,} members after {first:.1f} s; resumed in "
              f"{second:.1f} s; total {first + second:.1f} s; peak memory of the resume "
              f"{resumed.peak_pss / 2**20:.0f} MB PSS, {resumed.peak / 2**20:.0f} MB RSS")
        print(f"manifest sha256 {hashlib.sha256((root / 'killed' / 'manifest.csv').read_bytes()).hexdigest()}"
              f" -> equal: {same_manifest}; every file's sha256 equal: {same_tree}")
        return 0 if same_manifest and same_tree else 1
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
