# shellcheck shell=bash
# Named cases for the shell tests, as tests/lib/testlib.h has them for the C
# ones. In a test that counts its checks in $pass and $fail (its own check,
# or the one of scripts/lib/openvpn.sh):
#   if ovx_case name; then ...checks...; fi
# ends the case before it and starts this one, or is false when OVX_CASE (a
# name or a comma-separated list of names) leaves it out; each case run
# prints one line, "ok   NAME: N checks" or "FAIL NAME: N of M checks
# failed". A case makes the state it needs (or the test's setup, outside the
# cases, does), so that any one runs alone:  OVX_CASE=metrics tests/netns/test_cli_output.sh
# ovx_done NAME ends the last case and prints "NAME: N passed, N failed"
# (status 1 if a check failed, or if OVX_CASE names no case of the test).
pass=${pass:-0} fail=${fail:-0}
ovx_case_name='' ovx_case_pass=0 ovx_case_fail=0 ovx_cases_seen=0 ovx_cases_run=0

ovx_case() {	# name
	ovx_case_end
	ovx_cases_seen=$((ovx_cases_seen + 1))
	if [ -n "${OVX_CASE:-}" ] && [[ ",$OVX_CASE," != *",$1,"* ]]; then
		return 1
	fi
	ovx_cases_run=$((ovx_cases_run + 1))
	ovx_case_name=$1 ovx_case_pass=$pass ovx_case_fail=$fail
}

ovx_case_end() {
	[ -n "$ovx_case_name" ] || return 0
	local p=$((pass - ovx_case_pass)) f=$((fail - ovx_case_fail))
	if [ "$f" -eq 0 ]; then
		echo "ok   $ovx_case_name: $p check$([ "$p" -eq 1 ] || echo s)"
	else
		echo "FAIL $ovx_case_name: $f of $((p + f)) checks failed"
	fi
	ovx_case_name=''
}

ovx_done() {	# name
	ovx_case_end
	if [ -n "${OVX_CASE:-}" ] && [ "$ovx_cases_seen" -gt 0 ] && [ "$ovx_cases_run" -eq 0 ]; then
		echo "FAIL: OVX_CASE=$OVX_CASE names no case of $1"
		fail=$((fail + 1))
	fi
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
