#!/usr/bin/env bash
# Runs each test program given, shows its output, and ends with the total
# "N passed, N failed", the sum of each program's last "name: N passed, N
# failed" line (the one-line results of named cases are not counted again).
# Exit status is non-zero if any check failed or any program did not finish
# cleanly. Each program's time is printed after it ("took N s") and the
# slowest five before the total, to show where a run's time goes.
set -u
pass=0 fail=0 broken=() took=()
start=$SECONDS
for t in "$@"; do
	name=${t#*tests/}	# kind/program: netns/test_ctl_objects_netns
	echo "== $name"
	# a hung test must not hang CI: each gets ${OVX_TEST_TIMEOUT:-600} s
	t0=$SECONDS
	out=$(timeout -k 10 "${OVX_TEST_TIMEOUT:-600}" "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	echo "$name: took $((SECONDS - t0)) s"
	took+=("$((SECONDS - t0)) $name")
	line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: exited $rc without a summary"
		fail=$((fail + 1)); broken+=("$name"); continue
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail=$((fail + 1)); broken+=("$name")
	elif [ "$f" -ne 0 ]; then
		broken+=("$name")
	fi
done
[ ${#broken[@]} -eq 0 ] || echo "failing: ${broken[*]}"
[ ${#took[@]} -eq 0 ] || echo "time: $((SECONDS - start)) s; slowest:" \
	"$(printf '%s\n' "${took[@]}" | sort -rn | head -5 | awk '{printf "%s%s %s s", (NR > 1 ? ", " : ""), $2, $1}')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
