"""Who the letters go to: every organisation tied to a matched dataset, and which
of them are selected unless the person says otherwise.

An organisation is tied to a dataset as its creator, a co-creator, or a user
named by a report. Creators and users named by a court record, the press, their
own publication or the dataset creators' publication are selected by default;
a user named only by activist research is listed but left unselected, with one
line saying why, because a letter resting on one unconfirmed report is weaker
and the person should choose it knowingly (issue: recipients by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..companies import CompanyDirectory
from ..registry import DatasetRegistry, Involvement


@dataclass(frozen=True)
class RecipientOption:
    slug: str
    name: str
    default: bool                        # selected unless the person leaves it out
    why_not: str = ""                    # for an unselected one: one line, for the person
    involvements: tuple[Involvement, ...] = ()
    datasets: str = ""                   # the matched datasets it is tied to, as one phrase

    @property
    def pending_cases(self) -> tuple[str, ...]:
        """Pending court cases over this organisation's use of a matched dataset."""
        return tuple(sorted({i.litigation.case for i in self.involvements
                             if i.litigation is not None and i.litigation.pending}))


def recipient_options(datasets: Iterable[str], registry: DatasetRegistry,
                      directory: CompanyDirectory) -> list[RecipientOption]:
    """Every organisation tied to ``datasets`` (slugs in the registry), sorted by name."""
    by_company: dict[str, list[Involvement]] = {}
    for inv in registry.involvements([d for d in datasets if d in registry]):
        by_company.setdefault(inv.company, []).append(inv)
    out = []
    for slug, involvements in by_company.items():
        name = directory.get(slug).name if slug in directory else slug
        default = any(i.selected_by_default for i in involvements)
        datasets = _dataset_names(involvements, registry)
        why_not = "" if default else (
            f"{name}: only activist research reports that it used {datasets}; not selected "
            "unless you add it.")
        out.append(RecipientOption(slug, name, default, why_not, tuple(involvements), datasets))
    return sorted(out, key=lambda o: o.name.casefold())


def _dataset_names(involvements: Iterable[Involvement], registry: DatasetRegistry) -> str:
    names = sorted({registry.get(i.dataset).name for i in involvements})
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
