# Layering the build enforces: a target sees the headers of itself and of what it links, and
# nothing else. Each target gets an include root of its own in the build tree,
# <build>/include_roots/<target>/<prefix>, a symlink to its header folder, so includes keep their
# spelling ("dataset/loader.h") and an include of a library that is not linked does not compile.
set(CHURN_INCLUDE_ROOTS ${CMAKE_BINARY_DIR}/include_roots)

# churn_include_root(<target> [PREFIX <name>] [DIR <folder>] [HEADERS_OF_SOURCES [HEADERS <h>...]])
# Exports the root PUBLIC (INTERFACE for a header-only target). DIR defaults to the current
# source folder, PREFIX to DIR's name: `churn_include_root(churn_dataset)` in libs/dataset.
# HEADERS_OF_SOURCES, for a folder that holds several targets: <prefix> is a folder of links to
# <x>.h of each <x>.cc the target compiles, plus HEADERS (header-only files), instead of a link to
# the whole folder.
function(churn_include_root target)
  cmake_parse_arguments(R "HEADERS_OF_SOURCES" "PREFIX;DIR" "HEADERS" ${ARGN})
  if(NOT R_DIR)
    set(R_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  if(NOT R_PREFIX)
    get_filename_component(R_PREFIX ${R_DIR} NAME)
  endif()
  set(root ${CHURN_INCLUDE_ROOTS}/${target})
  set(entry ${root}/${R_PREFIX})
  # Start from an empty root, removing links only: never follow one into the source tree.
  if(IS_SYMLINK ${entry})
    file(REMOVE ${entry})
  elseif(IS_DIRECTORY ${entry})
    file(GLOB old_links ${entry}/*)
    file(REMOVE ${old_links})
  endif()
  file(MAKE_DIRECTORY ${root})
  if(R_HEADERS_OF_SOURCES)
    file(MAKE_DIRECTORY ${entry})
    get_target_property(sources ${target} SOURCES)
    set(headers ${R_HEADERS})
    foreach(source ${sources})
      get_filename_component(stem ${source} NAME_WE)
      if(EXISTS ${R_DIR}/${stem}.h)
        list(APPEND headers ${stem}.h)
      endif()
    endforeach()
    foreach(header ${headers})
      file(CREATE_LINK ${R_DIR}/${header} ${entry}/${header} SYMBOLIC)
    endforeach()
  else()
    file(CREATE_LINK ${R_DIR} ${entry} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
