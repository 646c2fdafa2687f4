"""Forced collisions: register persons that share what the rules compare, at any register size.

At a few thousand persons, twins by name, birth date and gender and shared former CMND numbers
(both common in a national register of 100 million) would almost never occur; tests that must
see them ask for a share of each (``GenerateOptions.collisions``). Both stay inside a chunk, so
chunks are still generated independently:

* a *twin* takes the name, birth date and precision of the first person of the chunk with the
  same gender and birth year (so the ID bucket, and the planned serials, are unchanged);
* a *shared CMND* is the former CMND of another CMND holder of the chunk (real CMNDs were issued
  per province and some numbers were issued twice); a record that uses it cannot be linked.
"""

import numpy as np


def twin_sources(rng: np.random.Generator, female: np.ndarray, birth_year: np.ndarray, share: float) -> np.ndarray:
    """For each person, the position whose name and birth date they copy (their own where none)."""
    count = len(female)
    source = np.arange(count)
    if not share or not count:
        return source
    group = birth_year * 2 + female.astype(np.int64)
    order = np.argsort(group, kind="stable")
    ordered = group[order]
    first = order[np.searchsorted(ordered, group, side="left")]
    twins = rng.random(count) < share
    return np.asarray(np.where(twins, first, source))


def share_cmnds(rng: np.random.Generator, cmnd: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Former CMNDs with a share of holders given another holder's number, and who shares (both sides)."""
    holders = np.flatnonzero(cmnd > 0)
    shared = np.zeros(len(cmnd), dtype=bool)
    if not share or len(holders) < 2:
        return cmnd, shared
    takers = holders[1:][rng.random(len(holders) - 1) < share]
    givers = holders[rng.integers(0, len(holders), len(takers))]
    keep = givers != takers
    takers, givers = takers[keep], givers[keep]
    result = cmnd.copy()
    result[takers] = cmnd[givers]
    shared[takers] = True
    shared[givers] = True
    # a giver that is also a taker passes on its new number: recompute who shares from the result
    values, counts = np.unique(result[result > 0], return_counts=True)
    shared = np.isin(result, values[counts > 1]) & (result > 0)
    return result, shared
