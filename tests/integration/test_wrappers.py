"""templates/wrappers/chpasswd and templates/wrappers/fix-shadow-permissions with the real shadow tools, in
throwaway rootless containers of the bench image (`podman run --rm -i --user root IMAGE sh -s`, a script on
stdin), run by the unprivileged bench user. tests/bats/wrappers.bats covers the same scripts on the host.

Facts these tests pin down on the bench (Debian bookworm, passwd 1:4.13):
- Debian's own `chpasswd -e` stores distrobox 1.8.1.2's MD5 hex as it is (a field no password matches);
  shadow 4.15+ (Fedora 40+) refuses it, and the empty value too ("invalid password hash");
- Debian's `passwd -d USER` prints "passwd: password changed." on stdout (the wrapper sends it to stderr);
- for a user that does not exist, plain chpasswd (PAM) and chpasswd -e both exit 1, `passwd -d` 1,
  `usermod -p ''` 6;
- root without CAP_DAC_OVERRIDE cannot read a mode-000 /etc/shadow, and can read it at 0400.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
from pathlib import Path

import pytest

from conftest import REPO, require

from .bench import BENCH_IMAGE, DISTROBOX_VERSIONS, Bench

WRAPPERS = REPO / "templates" / "wrappers"
MD5HEX = "5f4dcc3b5aa765d61d8327deb882cf99"  # md5sum of "password": the shape of 1.8.1.2's temporary password
# crypt("secret", "$6$dbxsmithsalt$"): a real SHA-512 crypt hash.
SHA512 = (
    "$6$dbxsmithsalt$odYIeNOpYRoHXpMPjsZBCpekPTDMK3PvHBv5C66x59Nf/Pjo.mTSq0xWxiiPW7AbyBT.PccvgT67LpZW7EgX41"
)
NOTE = "chpasswd (dbxsmith wrapper): line 1, user {user}: not a crypt(3) hash"


@pytest.fixture(scope="module")
def bench() -> Bench:
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    return bench


def old_init() -> Path:
    return Bench(DISTROBOX_VERSIONS[0]).distrobox_bin / "distrobox-init"


def old_password_block() -> str:
    """The rootless password block of distrobox 1.8.1.2's distrobox-init, verbatim: from the `if` before
    "Ensuring user's access" to its closing `fi`."""
    lines = old_init().read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "Ensuring user's access" in line) - 1
    end = next(i for i in range(start, len(lines)) if lines[i] == "fi")
    assert lines[start] == "if [ ! -e /etc/passwd.done ]; then", lines[start]
    return "\n".join(lines[start : end + 1]) + "\n"


def install(path: Path, target: str) -> str:
    """Shell that writes `path` to `target` in the container, byte for byte (base64: no quoting layer)."""
    data = base64.b64encode(path.read_bytes()).decode()
    return f"printf '%s' '{data}' | base64 -d > {target} && chmod 755 {target}\n"


# Shell helpers for the scripts: `attempt NAME USER INPUT CMD...` feeds INPUT (exact bytes) to CMD and
# prints `@NAME.status`, `@NAME.field` (USER's password field in /etc/shadow), `@NAME.stdout` (bytes) and
# `@NAME.stderr` (lines joined by `|`).
HELPERS = r"""set -u
field() { getent shadow "$1" | cut -d: -f2; }
attempt() {
    name=$1 user=$2 input=$3
    shift 3
    printf '%s' "$input" | "$@" > /tmp/wr.out 2> /tmp/wr.err
    code=$?
    printf '@%s.status %s\n' "$name" "$code"
    printf '@%s.field %s\n' "$name" "$(field "$user")"
    printf '@%s.stdout %s\n' "$name" "$(wc -c < /tmp/wr.out)"
    printf '@%s.stderr %s\n' "$name" "$(tr '\n' '|' < /tmp/wr.err)"
}
"""


def in_container(bench: Bench, name: str, script: str, flags: tuple[str, ...] = ()) -> dict[str, str]:
    """`script` as root in a throwaway container `wr-NAME-PID`; returns the `@KEY VALUE` lines it prints."""
    container = f"wr-{name}-{os.getpid()}"
    try:
        result = bench.run(
            ["podman", "run", "--rm", "-i", "--name", container, "--user", "root", *flags, BENCH_IMAGE]
            + ["sh", "-s"],
            input=(HELPERS + script).encode(),
            check=False,
            timeout=120,
        )
    finally:
        bench.run(["podman", "rm", "-f", "--ignore", container], check=False, timeout=60)
    out = result.stdout.decode(errors="replace")
    facts = dict(re.findall(r"^@(\S+) ?(.*)$", out, re.MULTILINE))
    assert result.returncode == 0 and facts, (
        f"exit {result.returncode}\nstdout:\n{out}\nstderr:\n{result.stderr.decode(errors='replace')}"
    )
    return facts


def q(text: str) -> str:
    return shlex.quote(text)


@pytest.fixture(scope="module")
def chpasswd_run(bench: Bench) -> dict[str, str]:
    """Every chpasswd case in one container, in order; each sets up the state it starts from."""
    real = "/usr/sbin/chpasswd"
    block = base64.b64encode(old_password_block().encode()).decode()
    reset = f"printf 'u:%s\\nv:%s\\nroot:%s\\n' {q(SHA512)} {q(SHA512)} {q(SHA512)} | {real} -e\n"
    script = (
        install(WRAPPERS / "chpasswd", "/usr/local/bin/chpasswd")
        + f"printf '%s' {q(block)} | base64 -d > /tmp/block.sh\n"
        + "useradd u && useradd v\n"
        + "printf '@which %s\\n' \"$(command -v chpasswd)\"\n"
        + "printf '@shadow %s\\n' \"$(dpkg-query -W -f '${Version}' passwd)\"\n"
        # Debian's real chpasswd -e alone, the control: it stores the MD5 hex.
        + reset
        + f"attempt control u {q(f'u:{MD5HEX}' + chr(10))} {real} -e\n"
        # (a) the MD5 hex through the wrapper: passwordless.
        + f"attempt md5hex u {q(f'u:{MD5HEX}' + chr(10))} chpasswd -e\n"
        # ... and exactly as distrobox 1.8.1.2 pipes it: printf "%s:%s" with no newline.
        + reset
        + f"attempt distrobox u {q(f'u:{MD5HEX}')} chpasswd -e\n"
        # (b) a real hash is stored exactly; a lock stays a lock.
        + f"attempt sha512 u {q(f'u:{SHA512}' + chr(10))} chpasswd -e\n"
        + "attempt locked u 'u:!' chpasswd --encrypted\n"
        # (c) plain chpasswd: the real tool hashes the password.
        + "attempt plain u 'u:secret' chpasswd\n"
        # (d) a user that does not exist: the real tool's status and words, through the wrapper or not.
        + "attempt nouser.wrapped u 'nouser:secret' chpasswd\n"
        + f"attempt nouser.direct u 'nouser:secret' {real}\n"
        + f"attempt nouser-e.wrapped u {q(f'nouser:{SHA512}')} chpasswd -e\n"
        + f"attempt nouser-e.direct u {q(f'nouser:{SHA512}')} {real} -e\n"
        + f"attempt nouser-md5.wrapped u {q(f'nouser:{MD5HEX}')} chpasswd -e\n"
        # Several lines: each user gets what its line asks for.
        + reset
        + f"attempt mixed u {q(f'u:{MD5HEX}' + chr(10) + f'v:{SHA512}' + chr(10))} chpasswd -e\n"
        + "printf '@mixed.v %s\\n' \"$(field v)\"\n"
        # passwd moved away: usermod -p '' does it.
        + reset
        + "mv /usr/bin/passwd /usr/bin/passwd.away\n"
        + f"attempt usermod u {q(f'u:{MD5HEX}')} chpasswd -e\n"
        + "mv /usr/bin/passwd.away /usr/bin/passwd\n"
        # distrobox 1.8.1.2's own password block, verbatim, with the wrapper and Debian's tools.
        + reset
        + "rm -f /etc/passwd.done\n"
        + "attempt oldblock u '' sh -c"
        + " 'set -o errexit -o nounset; container_user_name=u; rootful=0; . /tmp/block.sh'\n"
        + "printf '@oldblock.root %s\\n' \"$(field root)\"\n"
    )
    return in_container(bench, "chpasswd", script)


def test_the_distrobox_facts_the_wrappers_rest_on() -> None:
    """1.8.1.2 pipes the MD5 hex and empty values into chpasswd -e (root's without `||`, under errexit);
    1.8.2.5 uses plain chpasswd, passwd -d and chmods the shadow files 0400."""
    for version in DISTROBOX_VERSIONS:
        init = Bench(version).distrobox_bin / "distrobox-init"
        require(init.exists(), f"distrobox {version} is not installed at {init}")
    block = old_password_block()
    assert "temporary_password=\"$(md5sum < /proc/sys/kernel/random/uuid | cut -d' ' -f1)\"" in block
    assert (
        'printf "%s:%s" "${container_user_name}" "${temporary_password}" | chpasswd -e || chpasswd_failed=1'
        in block
    )
    assert 'printf "%s:" "${container_user_name}" | chpasswd -e || chpasswd_failed=1' in block
    assert '\t\tprintf "%s:" "root" | chpasswd -e\n' in block
    assert "set -o errexit" in old_init().read_text()
    assert "chmod" not in block and "chmod 0400 /etc/shadow" not in old_init().read_text()
    new = (Bench(DISTROBOX_VERSIONS[-1]).distrobox_bin / "distrobox-init").read_text()
    assert 'printf "%s:%s" "${container_user_name}" "${temporary_password}" | chpasswd ||' in new
    assert 'if ! passwd -d "${container_user_name}"; then' in new
    assert "chmod 0400 /etc/shadow 2> /dev/null || :" in new
    assert "chmod 0400 /etc/gshadow 2> /dev/null || :" in new


def test_the_wrapper_shadows_the_real_chpasswd(chpasswd_run: dict[str, str]) -> None:
    assert chpasswd_run["which"] == "/usr/local/bin/chpasswd"
    assert chpasswd_run["shadow"].startswith("1:4.13"), chpasswd_run["shadow"]


def test_debian_chpasswd_alone_stores_the_md5_hex(chpasswd_run: dict[str, str]) -> None:
    """The control: bookworm's shadow 4.13 has no hash check: without the wrapper the MD5 hex is the field."""
    assert chpasswd_run["control.status"] == "0"
    assert chpasswd_run["control.field"] == MD5HEX


def test_md5_hex_makes_the_account_passwordless(chpasswd_run: dict[str, str]) -> None:
    for case in ("md5hex", "distrobox"):
        assert chpasswd_run[f"{case}.status"] == "0", chpasswd_run
        assert chpasswd_run[f"{case}.field"] == "", chpasswd_run
        assert chpasswd_run[f"{case}.stdout"] == "0", chpasswd_run
        stderr = chpasswd_run[f"{case}.stderr"]
        assert stderr.startswith(NOTE.format(user="u")), stderr
        assert stderr.endswith("|passwd: password changed.|"), stderr
        assert MD5HEX not in stderr


def test_real_hashes_and_locks_are_stored_exactly(chpasswd_run: dict[str, str]) -> None:
    assert (chpasswd_run["sha512.status"], chpasswd_run["sha512.field"]) == ("0", SHA512)
    assert chpasswd_run["sha512.stderr"] == "" and chpasswd_run["sha512.stdout"] == "0"
    assert (chpasswd_run["locked.status"], chpasswd_run["locked.field"]) == ("0", "!")


def test_plain_chpasswd_reaches_the_real_tool(chpasswd_run: dict[str, str]) -> None:
    assert chpasswd_run["plain.status"] == "0", chpasswd_run
    field = chpasswd_run["plain.field"]
    assert re.fullmatch(r"\$(y|6)\$[./0-9A-Za-z$]{20,}", field), field
    assert field != SHA512
    assert chpasswd_run["plain.stderr"] == "" and chpasswd_run["plain.stdout"] == "0"


def test_a_missing_user_keeps_the_real_tools_exit_status_and_words(chpasswd_run: dict[str, str]) -> None:
    for case in ("nouser", "nouser-e"):
        wrapped, direct = (
            {key: chpasswd_run[f"{case}.{way}.{key}"] for key in ("status", "stdout", "stderr")}
            for way in ("wrapped", "direct")
        )
        assert wrapped == direct, (wrapped, direct)
        assert wrapped["status"] == "1"
    assert "user 'nouser' does not exist" in chpasswd_run["nouser-e.direct.stderr"]
    # The rewrite path fails too: neither passwd -d nor usermod know the user.
    assert chpasswd_run["nouser-md5.wrapped.status"] == "1"
    stderr = chpasswd_run["nouser-md5.wrapped.stderr"]
    assert "user nouser: neither passwd -d nor usermod -p '' could remove the password" in stderr
    assert chpasswd_run["nouser-md5.wrapped.field"] == chpasswd_run["plain.field"]  # u is untouched


def test_each_line_gets_what_it_asks_for(chpasswd_run: dict[str, str]) -> None:
    assert chpasswd_run["mixed.status"] == "0"
    assert chpasswd_run["mixed.field"] == ""
    assert chpasswd_run["mixed.v"] == SHA512


def test_without_passwd_usermod_removes_the_password(chpasswd_run: dict[str, str]) -> None:
    assert chpasswd_run["usermod.status"] == "0", chpasswd_run
    assert chpasswd_run["usermod.field"] == ""
    assert chpasswd_run["usermod.stdout"] == "0"


def test_distrobox_1_8_1_2_password_block_completes_through_the_wrapper(chpasswd_run: dict[str, str]) -> None:
    assert chpasswd_run["oldblock.status"] == "0", chpasswd_run["oldblock.stderr"]
    assert chpasswd_run["oldblock.field"] == ""
    assert chpasswd_run["oldblock.root"] == ""
    assert "problem setting up the user" not in chpasswd_run["oldblock.stderr"]


@pytest.fixture(scope="module")
def shadow_run(bench: Bench) -> dict[str, str]:
    """The shadow fix in a container whose root lacks CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as pam_unix's
    view of the file is then decided by its mode alone."""
    fix = "/usr/local/sbin/fix-shadow-permissions"
    script = (
        install(WRAPPERS / "fix-shadow-permissions", fix)
        + 'mode() { stat -c %04a "$1"; }\n'
        + "readable() { cat /etc/shadow > /dev/null 2>&1 && echo yes || echo no; }\n"
        + 'printf \'@debian %s %s\\n\' "$(mode /etc/shadow)" "$(mode /etc/gshadow)"\n'
        + "chmod 000 /etc/shadow /etc/gshadow\n"
        + 'printf \'@before %s %s %s\\n\' "$(mode /etc/shadow)" "$(mode /etc/gshadow)" "$(readable)"\n'
        + f"attempt first root '' {fix}\n"
        + 'printf \'@after %s %s %s\\n\' "$(mode /etc/shadow)" "$(mode /etc/gshadow)" "$(readable)"\n'
        + f"attempt second root '' {fix}\n"
        + 'printf \'@again %s %s\\n\' "$(mode /etc/shadow)" "$(mode /etc/gshadow)"\n'
        + "chmod 0640 /etc/shadow\n"
        + f"attempt other root '' {fix}\n"
        + "printf '@other %s\\n' \"$(mode /etc/shadow)\"\n"
        + "rm /etc/gshadow\n"
        + f"attempt missing root '' {fix}\n"
    )
    return in_container(bench, "shadow", script, flags=("--cap-drop", "DAC_OVERRIDE,DAC_READ_SEARCH"))


def test_shadow_mode_000_becomes_0400_and_readable_by_root(shadow_run: dict[str, str]) -> None:
    assert shadow_run["debian"] == "0640 0640"
    # The failure it repairs is real: without CAP_DAC_OVERRIDE, root cannot read a mode-000 shadow.
    assert shadow_run["before"] == "0000 0000 no"
    assert shadow_run["first.status"] == "0"
    assert shadow_run["first.stdout"] == "0"
    assert shadow_run["first.stderr"] == (
        "fix-shadow-permissions: /etc/shadow: mode 000 -> 0400|"
        "fix-shadow-permissions: /etc/gshadow: mode 000 -> 0400|"
    )
    assert shadow_run["after"] == "0400 0400 yes"


def test_shadow_fix_is_idempotent_and_leaves_other_modes_alone(shadow_run: dict[str, str]) -> None:
    assert (shadow_run["second.status"], shadow_run["second.stderr"]) == ("0", "")
    assert shadow_run["again"] == "0400 0400"
    assert (shadow_run["other.status"], shadow_run["other.stderr"]) == ("0", "")
    assert shadow_run["other"] == "0640"
    assert (shadow_run["missing.status"], shadow_run["missing.stderr"]) == ("0", "")
