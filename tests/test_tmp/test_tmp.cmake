# The test run's temp dir (TMPDIR of every test, build/test-tmp): `-DACTION=prepare` empties it
# before the first test, `-DACTION=check` fails after the last one when anything was left in it,
# naming what (grep tests/ for the name to find the test that wrote it). With
# CHURN_KEEP_TEST_SCRATCH=1 the tests keep their scratch on purpose: listed, not failed.
#   cmake -DACTION=prepare|check -DDIR=<dir> -P test_tmp.cmake
if(NOT DIR)
  message(FATAL_ERROR "test_tmp.cmake: DIR is required")
endif()

if(ACTION STREQUAL "prepare")
  file(REMOVE_RECURSE "${DIR}")
  file(MAKE_DIRECTORY "${DIR}")
elseif(ACTION STREQUAL "check")
  file(GLOB left LIST_DIRECTORIES true RELATIVE "${DIR}" "${DIR}/*" "${DIR}/.*")
  list(SORT left)
  if(NOT left)
    message(STATUS "test temp dir ${DIR}: empty, no test left anything behind")
    return()
  endif()
  list(LENGTH left count)
  list(JOIN left "\n  " names)
  if("$ENV{CHURN_KEEP_TEST_SCRATCH}" STREQUAL "1")
    message(STATUS "CHURN_KEEP_TEST_SCRATCH=1: kept in ${DIR}:\n  ${names}")
    return()
  endif()
  message(FATAL_ERROR "the tests left ${count} entries in their temp dir ${DIR} (each test must "
                      "remove its scratch: tests/testing/scratch_dir.h):\n  ${names}")
else()
  message(FATAL_ERROR "test_tmp.cmake: ACTION must be prepare or check, got '${ACTION}'")
endif()
