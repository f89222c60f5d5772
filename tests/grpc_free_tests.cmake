# postura_grpc_free_test(TARGET): declares the unit-test executable TARGET free of gRPC.
# Such tests cover concurrent code that does not speak gRPC (the watch hub, scoring's
# inbox, the agent's spool, the ingest writer's queue), and so are the ones a
# ThreadSanitizer build can judge: Debian's gRPC is not instrumented.
#
# - Their tests are registered with ctest under the label `tsan`.
# - The target `grpc_free_tests` builds all of them and nothing else; deploy/test.sh builds
#   it in the tsan preset and runs `ctest -L tsan`.
# - The test `grpc_free` (tests/check_grpc_free.sh, also labelled `tsan`) fails when one of
#   them needs libgrpc, so they stay free of it.
# - In a ThreadSanitizer build they link tests/testing/tsan_absl_annotations.cc, which tells
#   TSan about Abseil's mutexes (Debian's Abseil is not instrumented either), and run with
#   TSAN_OPTIONS that stop at the first report and read tests/tsan.supp (RocksDB).
function(postura_grpc_free_test target)
  set(properties LABELS tsan)
  if(POSTURA_SANITIZE MATCHES "thread")
    target_sources(${target} PRIVATE ${CMAKE_SOURCE_DIR}/tests/testing/tsan_absl_annotations.cc)
    target_link_libraries(${target} PRIVATE ${CMAKE_DL_LIBS})
    list(APPEND properties ENVIRONMENT
         "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=${CMAKE_SOURCE_DIR}/tests/tsan.supp")
  endif()
  gtest_discover_tests(${target} PROPERTIES ${properties})
  set_property(GLOBAL APPEND PROPERTY POSTURA_GRPC_FREE_TESTS ${target})
endfunction()
