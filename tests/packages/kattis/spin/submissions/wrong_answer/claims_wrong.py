# A correct solution that claims otherwise: verify must report it.
# @EXPECTED_RESULTS@: WRONG_ANSWER, TIMELIMIT
print(int(input()) * 2)
