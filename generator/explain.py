"""`dbxsmith-gen explain`: what each box shares with the host and what it closes.

Read from the same guarantee table (generator/tables.py) that drives rendering and `dbxsmith verify`.
"""

from __future__ import annotations

from .plan import BoxPlan
from .tables import DISTROS, STRATEGIES, guarantees


def explain(boxes: list[BoxPlan]) -> str:
    sections = []
    for box in boxes:
        strategy = STRATEGIES[box.strategy]
        promised = {g.id for g in guarantees(strategy)}
        identity = box.identity
        rows = [
            ("network namespace", "own" if "own-netns" in promised else "the host's", "own-netns" in promised),
            ("outbound network", "works" if "outbound-works" in promised else "none: only lo, no route, no DNS",
             "loopback-only" in promised),
            ("host loopback services", "unreachable" if "host-loopback-closed" in promised else "reachable",
             "host-loopback-closed" in promised),
            ("host sockets (D-Bus, podman, agents, X11/Wayland)",
             "closed" if "sockets-closed" in promised else "open", "sockets-closed" in promised),
            ("host files (home, /, /tmp, runtime dir)", "hidden" if "no-host-files" in promised else "shared",
             "no-host-files" in promised),
            ("identity", f"{identity.name} (uid {identity.uid}), home inside the box" if "identity" in promised
             else "your own user and home", "identity" in promised),
            ("your environment (SSH_AUTH_SOCK, DISPLAY, *_TOKEN...)",
             "not forwarded" if "env-clean" in promised else "forwarded", "env-clean" in promised),
            ("root inside the box", _root(promised, identity.sudo), "no-privilege" in promised and not identity.sudo),
            ("left on the host after rm", "nothing (rm --verify proves it)" if "no-leftovers" in promised
             else "distrobox's usual traces", "no-leftovers" in promised),
        ]
        width = max(len(label) for label, _, _ in rows)
        lines = [f"{box.name}: strategy {strategy.name}: {strategy.summary}"]
        for label, state, closed in rows:
            lines.append(f"  {'closed ' if closed else 'shared '} {label:<{width}}  {state}")
        checks = [g.id for g in guarantees(strategy)]
        fixes = DISTROS[box.distro].fixes
        if fixes:
            lines.append(f"  {box.distro} fixes (pre-init hook, on every start): {', '.join(fixes)}")
            checks.append("distro-fixes")
        lines.append(f"  verify checks: {', '.join(checks)}")
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


def _root(promised: set[str], sudo: bool) -> str:
    if "no-privilege" not in promised:
        return "passwordless sudo (masks, if any, can be lifted)"
    if sudo:
        return "passwordless sudo by identity.sudo: the masks can be lifted (weakened)"
    return "unreachable: no sudo, root and host user locked"
