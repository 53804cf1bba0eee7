# qrt_module(NAME <m> SOURCES ... [DEPS ...] [TEST_SOURCES ...] [BENCH_SOURCES ...])
# Defines the library qrt_<m>, its test binary qrt_<m>_tests (GoogleTest, registered with CTest)
# and its benchmark binary qrt_<m>_bench. A module links only to the modules named in DEPS, so an
# include that breaks the layer order (docs/architecture.md) fails the build.
function(qrt_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wpedantic -Wnull-dereference -Wimplicit-fallthrough)
  if(QRT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(qrt_sanitize target)
  if(QRT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

function(qrt_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;TEST_SOURCES;TEST_DEPS;BENCH_SOURCES" ${ARGN})
  set(lib qrt_${M_NAME})
  add_library(${lib} STATIC)
  target_sources(${lib} PRIVATE ${M_SOURCES})
  target_include_directories(${lib} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${lib} PUBLIC ${M_DEPS})
  qrt_warnings(${lib})
  qrt_sanitize(${lib})

  if(QRT_BUILD_TESTS AND M_TEST_SOURCES)
    add_executable(${lib}_tests)
    target_sources(${lib}_tests PRIVATE ${M_TEST_SOURCES})
    target_link_libraries(${lib}_tests PRIVATE ${lib} ${M_TEST_DEPS} GTest::gtest GTest::gtest_main)
    qrt_warnings(${lib}_tests)
    qrt_sanitize(${lib}_tests)
    gtest_discover_tests(${lib}_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${M_NAME})
  endif()

  if(QRT_BUILD_BENCH AND M_BENCH_SOURCES)
    add_executable(${lib}_bench)
    target_sources(${lib}_bench PRIVATE ${M_BENCH_SOURCES})
    target_link_libraries(${lib}_bench PRIVATE ${lib} benchmark::benchmark benchmark::benchmark_main)
    qrt_warnings(${lib}_bench)
    qrt_sanitize(${lib}_bench)  # the library is instrumented, so the binary must link the runtimes
  endif()
endfunction()
