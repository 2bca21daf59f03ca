# ctest abi_find_package: install fwcore from FW_BUILD_DIR into a temporary
# prefix, configure and build tests/native/consumer against it with
# find_package(Fw CONFIG REQUIRED), and run both programs.
cmake_minimum_required(VERSION 3.20)
foreach(var FW_BUILD_DIR CONSUMER_DIR WORK_DIR GENERATOR C_COMPILER CXX_COMPILER EXPECT_VERSION)
  if(NOT ${var})
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
step("cmake --install" ${CMAKE_COMMAND} --install ${FW_BUILD_DIR} --prefix ${prefix})
foreach(f include/fw/fw.h include/fw/common.h)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the install has no ${f}")
  endif()
endforeach()
file(GLOB_RECURSE configs ${prefix}/*/FwConfig.cmake ${prefix}/*/FwConfigVersion.cmake ${prefix}/*/FwTargets.cmake)
list(LENGTH configs n)
if(NOT n EQUAL 3)
  message(FATAL_ERROR "expected FwConfig.cmake, FwConfigVersion.cmake and FwTargets.cmake in the install, found: ${configs}")
endif()

step("configuring the consumer" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
     -DCMAKE_BUILD_TYPE=Debug -DCMAKE_PREFIX_PATH=${prefix}
     -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
     "-DCMAKE_C_FLAGS=${FLAGS}" "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}")
step("building the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
# The installed headers were used, not the source tree's.
file(STRINGS ${WORK_DIR}/build/CMakeCache.txt fw_dir REGEX "^Fw_DIR:")
if(NOT fw_dir MATCHES "${prefix}/")
  message(FATAL_ERROR "find_package(Fw) did not find the installed package: ${fw_dir}")
endif()

foreach(program fw_consumer_c fw_consumer_cxx)
  step("running ${program}" ${WORK_DIR}/build/${program})
  message(STATUS "${step_output}")
endforeach()
if(NOT step_output MATCHES "fwcore ${EXPECT_VERSION}")
  message(FATAL_ERROR "expected fwcore ${EXPECT_VERSION}: ${step_output}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
