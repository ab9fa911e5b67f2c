# Layering the build enforces: a target sees the headers of itself and of what it links, and
# nothing else. Each header folder gets an include root of its own in the build tree holding one
# symlink, <build>/include_roots/<target>/<prefix> -> <folder>, so includes keep their spelling
# ("dataset/loader.h") and an include of a library that is not linked does not compile.
set(CHURN_INCLUDE_ROOTS ${CMAKE_BINARY_DIR}/include_roots)

# churn_include_root(<target> [PREFIX <name>] [DIR <folder>])
# Exports the root PUBLIC (INTERFACE for a header-only target). DIR defaults to the current
# source folder, PREFIX to DIR's name: `churn_include_root(churn_dataset)` in libs/dataset.
function(churn_include_root target)
  cmake_parse_arguments(R "" "PREFIX;DIR" "" ${ARGN})
  if(NOT R_DIR)
    set(R_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  if(NOT R_PREFIX)
    get_filename_component(R_PREFIX ${R_DIR} NAME)
  endif()
  set(root ${CHURN_INCLUDE_ROOTS}/${target})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${R_DIR} ${root}/${R_PREFIX} SYMBOLIC)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
