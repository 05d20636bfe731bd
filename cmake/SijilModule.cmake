# sijil_module(NAME <name> [DEPS <sijil modules>...] [LIBS <external targets>...]
#              [TEST_LIBS <extra test-only targets>...])
#
# Builds sijil/<name>/*.cc and sijil/<name>/internal/*.cc (minus *_test.cc, *_fuzz.cc,
# *_bench.cc) into the static library sijil::<name>, and:
#  - each *_test.cc into its own GoogleTest executable, registered with ctest as <name>.<file>;
#  - each *_fuzz.cc into a libFuzzer target fuzz_<name>_<file> (fuzz preset only);
#  - each *_bench.cc into a Google Benchmark executable bench_<name>_<file>.
# Tests run with SIJIL_SOURCE_DIR set so they can find sijil/<name>/testdata and tests/data.
set_property(GLOBAL PROPERTY SIJIL_MODULES "")
add_custom_target(fuzzers)

function(sijil_module)
  cmake_parse_arguments(M "" "NAME;TIMEOUT" "DEPS;LIBS;TEST_LIBS" ${ARGN})
  if(NOT M_NAME)
    message(FATAL_ERROR "sijil_module: NAME is required")
  endif()
  if(NOT M_TIMEOUT)
    set(M_TIMEOUT 600)
  endif()
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB srcs CONFIGURE_DEPENDS ${dir}/*.cc ${dir}/internal/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_fuzz|_bench)\\.cc$")
  set(target sijil_${M_NAME})
  if(srcs)
    add_library(${target} STATIC ${srcs})
    set(scope PUBLIC)
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  add_library(sijil::${M_NAME} ALIAS ${target})
  target_include_directories(${target} ${scope} ${PROJECT_SOURCE_DIR})
  foreach(dep ${M_DEPS})
    target_link_libraries(${target} ${scope} sijil::${dep})
  endforeach()
  if(M_LIBS)
    target_link_libraries(${target} ${scope} ${M_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY SIJIL_MODULES sijil::${M_NAME})

  if(SIJIL_BUILD_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS ${dir}/*_test.cc ${dir}/internal/*_test.cc)
    foreach(test_src ${tests})
      get_filename_component(test_name ${test_src} NAME_WE)
      set(test_target ${M_NAME}_${test_name})
      add_executable(${test_target} ${test_src})
      target_link_libraries(${test_target} PRIVATE ${target} ${M_TEST_LIBS}
                            GTest::gtest GTest::gmock GTest::gtest_main)
      set_target_properties(${test_target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                            ${PROJECT_BINARY_DIR}/tests)
      add_test(NAME ${M_NAME}.${test_name} COMMAND ${test_target})
      set_tests_properties(${M_NAME}.${test_name} PROPERTIES
        TIMEOUT ${M_TIMEOUT}
        ENVIRONMENT "SIJIL_SOURCE_DIR=${PROJECT_SOURCE_DIR};SIJIL_BINARY_DIR=${PROJECT_BINARY_DIR}")
    endforeach()
  endif()

  if(SIJIL_FUZZ)
    file(GLOB fuzzes CONFIGURE_DEPENDS ${dir}/*_fuzz.cc)
    foreach(fuzz_src ${fuzzes})
      get_filename_component(fuzz_name ${fuzz_src} NAME_WE)
      string(REGEX REPLACE "_fuzz$" "" fuzz_name ${fuzz_name})
      set(fuzz_target fuzz_${M_NAME}_${fuzz_name})
      add_executable(${fuzz_target} ${fuzz_src})
      target_link_libraries(${fuzz_target} PRIVATE ${target})
      target_link_options(${fuzz_target} PRIVATE -fsanitize=fuzzer)
      set_target_properties(${fuzz_target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                            ${PROJECT_BINARY_DIR}/fuzz)
      add_dependencies(fuzzers ${fuzz_target})
    endforeach()
  endif()

  if(SIJIL_BUILD_BENCH AND NOT SIJIL_FUZZ)
    file(GLOB benches CONFIGURE_DEPENDS ${dir}/*_bench.cc)
    foreach(bench_src ${benches})
      get_filename_component(bench_name ${bench_src} NAME_WE)
      string(REGEX REPLACE "_bench$" "" bench_name ${bench_name})
      set(bench_target bench_${M_NAME}_${bench_name})
      add_executable(${bench_target} ${bench_src})
      target_link_libraries(${bench_target} PRIVATE ${target} benchmark::benchmark)
      set_target_properties(${bench_target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                            ${PROJECT_BINARY_DIR}/bench)
    endforeach()
  endif()
endfunction()
