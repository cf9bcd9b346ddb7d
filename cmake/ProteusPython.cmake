# Finds a Python interpreter that imports Debian's h5py, numpy, scipy, pandas and matplotlib.
# The first python3 on PATH may be a private interpreter that cannot see them, so we
# try the system interpreter first and fail the configure step (never skip tests)
# when no candidate imports all five.
set(_candidates /usr/bin/python3)
find_program(_path_python3 python3)
if(_path_python3)
  list(APPEND _candidates ${_path_python3})
endif()
set(PROTEUS_PYTHON "" CACHE FILEPATH "Python interpreter with h5py, numpy, scipy, pandas, matplotlib")
if(NOT PROTEUS_PYTHON)
  foreach(_py IN LISTS _candidates)
    execute_process(COMMAND ${_py} -c "import h5py, numpy, scipy, pandas, matplotlib"
      RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
    if(_rc EQUAL 0)
      set(PROTEUS_PYTHON ${_py} CACHE FILEPATH "Python interpreter with h5py, numpy, scipy, pandas, matplotlib" FORCE)
      break()
    endif()
  endforeach()
endif()
if(NOT PROTEUS_PYTHON)
  message(FATAL_ERROR
    "No Python interpreter imports h5py, numpy, scipy, pandas and matplotlib (tried: ${_candidates}). "
    "Run ./scripts/install-deps.sh or pass -DPROTEUS_PYTHON=/path/to/python3.")
endif()
message(STATUS "Python for tests: ${PROTEUS_PYTHON}")
