# Run at every build (target proteus_version): writes generated/proteus/version.hpp with the
# commit and dirty flag of the source tree as built, touching it only when they change.
# Inputs: SOURCE_DIR, OUTPUT, TEMPLATE, PROJECT_VERSION, GIT_EXECUTABLE.
set(PROTEUS_GIT_COMMIT "unknown")
set(PROTEUS_GIT_DIRTY "false")
if(GIT_EXECUTABLE)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
    WORKING_DIRECTORY ${SOURCE_DIR}
    OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0)
    set(PROTEUS_GIT_COMMIT ${_commit})
    # Tracked files that differ from the commit make the build dirty; untracked files do not.
    execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
      WORKING_DIRECTORY ${SOURCE_DIR}
      OUTPUT_VARIABLE _status OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT _status STREQUAL "")
      set(PROTEUS_GIT_DIRTY "true")
    endif()
  endif()
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
