// The sanitizers' defaults for a sanitized tollgate (TOLLGATE_SANITIZE; in any other build this
// file is empty). A report ends the process with exit 86, a code tollgate never uses itself, so a
// test that expects 1 (a closed gate) or 2 (could not verify) cannot mistake a sanitizer report
// for either. They hold where the environment's ASAN_OPTIONS/UBSAN_OPTIONS do not reach, such as
// a gate job that runs the binary inside a container; where those variables are set (the
// sanitizer test suite sets log_path there), they add to these.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TOLLGATE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TOLLGATE_ASAN 1
#endif

#ifdef TOLLGATE_ASAN
extern "C" const char* __asan_default_options() {
  return "exitcode=86:abort_on_error=0:detect_leaks=1:print_summary=1";
}
extern "C" const char* __ubsan_default_options() {
  return "exitcode=86:print_stacktrace=1:halt_on_error=1";
}
#endif
