#!/usr/bin/env bash
# Runs irsalint for the GitHub Action: SARIF to the given file, the text
# report into the job summary, and the exit code as the step output
# "exit-code" (0 clean, 1 findings, 2 could not analyze), so that the SARIF
# is uploaded before the job fails.
#   IRSALINT_ARGS   the lint arguments (split on spaces, as written)
#   IRSALINT_SARIF  the SARIF file to write
set -uo pipefail
sarif=${IRSALINT_SARIF:-irsalint.sarif}
text=${RUNNER_TEMP:?}/irsalint-report.txt
# shellcheck disable=SC2086 # the arguments are a list the user wrote
irsalint lint --report "sarif=$sarif" --report "text=$text" ${IRSALINT_ARGS:-.}
code=$?
{
	echo "### irsalint"
	echo
	case $code in
	0) echo "No finding at or above the gate." ;;
	1) echo "Findings at or above the gate." ;;
	*) echo "The analysis could not be trusted (exit code $code): see the job log." ;;
	esac
	if [ -s "$text" ]; then
		echo
		echo '```'
		cat "$text"
		echo '```'
	fi
} >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
[ -s "$text" ] && cat "$text"
echo "exit-code=$code" >>"${GITHUB_OUTPUT:?}"
exit 0
