#!/bin/sh
# Usage: pulumi-on-path.sh PINNED_VERSION EXCLUDED_DIR
# Prints the path of the `pulumi` on PATH when it can stand in for the pinned
# CLI (same major version, not older) and is not the one built in EXCLUDED_DIR;
# prints nothing otherwise. Used by toolchain/toolchain.mk to choose PULUMI.
pinned=$1
excluded=$2
found=$(command -v pulumi) || exit 0
case "$(readlink -f "$found")" in "$excluded"/*) exit 0 ;; esac
version=$("$found" version 2>/dev/null) || exit 0
version=${version#v}
want=${pinned#v}
[ "${version%%.*}" = "${want%%.*}" ] || exit 0
oldest=$(printf '%s\n%s\n' "$want" "$version" | sort -V | head -n 1)
[ "$oldest" = "$want" ] && echo "$found"
exit 0
