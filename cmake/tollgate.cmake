# Test code is compiled for build time, not run time. Test files are two thirds of the build's
# compile time (GoogleTest and nlohmann/json templates in every file); at -O1 with line tables only
# a test file compiles in about half the time of -O2 -g (g++ 12: 9.9 s against 18.6 s for
# tests/e2e/load_journey_test.cc), and the code under test keeps the build's own flags.
# The sanitizer build (Makefile) gives -O0: there ASan doubles the time of -O1 on test files.
set(TOLLGATE_TEST_COMPILE_OPTIONS -O1 -g1 CACHE STRING
    "Compile options of test code (module tests, e2e tests, tests/support)")

# tollgate_test_code(TARGET): TARGET is test code (see TOLLGATE_TEST_COMPILE_OPTIONS).
function(tollgate_test_code target)
  target_compile_options(${target} PRIVATE ${TOLLGATE_TEST_COMPILE_OPTIONS})
endfunction()

# tollgate_module(NAME [DEPS module...] [LIBS target...])
# Builds src/NAME/*.cc (except *_test.cc) into the static library tollgate_NAME, and every
# src/NAME/*_test.cc into one GoogleTest binary NAME_test registered with CTest (label unit).
function(tollgate_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;LIBS;TEST_LIBS" ${ARGN})
  file(GLOB all_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(sources ${all_sources})
  list(FILTER sources EXCLUDE REGEX "_test\\.cc$")
  set(tests ${all_sources})
  list(FILTER tests INCLUDE REGEX "_test\\.cc$")
  add_library(tollgate_${name} STATIC ${sources})
  target_include_directories(tollgate_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(deps)
  foreach(dep IN LISTS ARG_DEPS)
    list(APPEND deps tollgate_${dep})
  endforeach()
  target_link_libraries(tollgate_${name} PUBLIC ${deps} ${ARG_LIBS})
  set_property(GLOBAL APPEND PROPERTY TOLLGATE_LIBRARIES tollgate_${name})
  if(tests)
    add_executable(${name}_test ${tests})
    target_link_libraries(${name}_test PRIVATE tollgate_${name} tollgate_testsupport ${ARG_TEST_LIBS}
                          GTest::gtest GTest::gtest_main GTest::gmock)
    tollgate_test_code(${name}_test)
    add_test(NAME ${name}_test COMMAND ${name}_test)
    set_tests_properties(${name}_test PROPERTIES LABELS unit
                         ENVIRONMENT "TOLLGATE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()
