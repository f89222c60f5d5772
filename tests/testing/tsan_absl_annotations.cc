// Tells ThreadSanitizer about Abseil's mutexes, for test binaries built with
// -fsanitize=thread against Debian's Abseil (tests/grpc_free_tests.cmake links it into the
// gRPC-free unit tests of a TSan build, and into nothing else).
//
// Why: Debian builds Abseil without TSan, so its Mutex is a futex and atomics that TSan
// cannot see. Every access guarded by an absl::Mutex then looks unsynchronised, and TSan
// reports a race on each of them (a two-thread counter under absl::MutexLock is enough).
// An instrumented Abseil annotates its own Mutex with TSan's mutex interface; this file
// does the same from the outside: it defines the Mutex, CondVar and Notification calls
// that lock, unlock or wait, so that the executable's definitions interpose on the shared
// library's (for calls from our code and, through the PLT, from Abseil's own), and each
// one brackets the real call, found with dlsym(RTLD_NEXT), in the annotations Abseil's
// instrumented build makes. TSan ignores memory accesses between a pre- and a post-
// annotation, so conditions that Abseil evaluates inside a lock or unlock are not checked;
// everything our code does while holding the mutex is.
//
// Limits: Await and CondVar waits are annotated as an exclusive unlock and relock, as all
// of this project's code calls them (under MutexLock); Notification::HasBeenNotified() is
// inline and does not order what follows it, so tests use it only to see that a
// notification has not happened yet. Thread-safe: the real functions are looked up once,
// in function-local statics, and the depth of calls into Abseil is counted per thread.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

constexpr unsigned kReadLock = __tsan_mutex_read_lock;
constexpr unsigned kTryLock = __tsan_mutex_try_lock;
constexpr unsigned kTryLockFailed = __tsan_mutex_try_lock_failed;

#define POSTURA_STRINGIFY_INNER(x) #x
#define POSTURA_STRINGIFY(x) POSTURA_STRINGIFY_INNER(x)

// The shared library's definition of absl::<name>: `name` is the mangled name without
// "_ZN4absl<inline namespace>" (with `is_const`, "_ZNK..."), e.g. "5Mutex4LockEv".
template <typename Function>
Function Real(const char* name, bool is_const = false) {
  const std::string inline_namespace = POSTURA_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string mangled = std::string(is_const ? "_ZNK4absl" : "_ZN4absl") +
                              std::to_string(inline_namespace.size()) + inline_namespace + name;
  void* function = dlsym(RTLD_NEXT, mangled.c_str());
  if (function == nullptr) {
    std::fprintf(stderr, "tsan_absl_annotations: Abseil has no %s\n", mangled.c_str());
    std::abort();
  }
  return reinterpret_cast<Function>(function);
}

// Abseil's functions call each other through the PLT, and so through the definitions
// below (AwaitWithTimeout calls AwaitWithDeadline, Notification::Notify calls Lock): only
// the outermost call on a thread is annotated, the calls it makes are Abseil's own.
thread_local int calls_into_abseil = 0;

// Runs `call` as one call into Abseil, and returns what it returns.
template <typename Call>
auto InsideAbseil(Call call) {
  struct Depth {
    Depth() { ++calls_into_abseil; }
    ~Depth() { --calls_into_abseil; }
  } depth;
  return call();
}

// Annotates a lock of `mu` around `lock`, which returns whether it locked.
template <typename Lock>
bool AnnotatedLock(void* mu, unsigned flags, Lock lock) {
  if (calls_into_abseil > 0) return lock();
  __tsan_mutex_pre_lock(mu, flags);
  const bool locked = InsideAbseil(lock);
  __tsan_mutex_post_lock(mu, flags | (locked ? 0 : kTryLockFailed), 0);
  return locked;
}

template <typename Unlock>
void AnnotatedUnlock(void* mu, unsigned flags, Unlock unlock) {
  if (calls_into_abseil > 0) return unlock();
  __tsan_mutex_pre_unlock(mu, flags);
  InsideAbseil(unlock);
  __tsan_mutex_post_unlock(mu, flags);
}

// A wait that releases the exclusively held `mu` and holds it again when it returns.
template <typename Wait>
auto AnnotatedWait(void* mu, Wait wait) {
  if (calls_into_abseil > 0) return wait();
  __tsan_mutex_pre_unlock(mu, 0);
  auto result = InsideAbseil(wait);
  __tsan_mutex_post_unlock(mu, 0);
  __tsan_mutex_pre_lock(mu, 0);
  __tsan_mutex_post_lock(mu, 0, 0);
  return result;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

Mutex::~Mutex() {
  static const auto real = Real<void (*)(Mutex*)>("5MutexD2Ev");
  if (calls_into_abseil == 0) __tsan_mutex_destroy(this, 0);
  InsideAbseil([&] { return real(this), true; });
}

void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  AnnotatedLock(this, 0, [&] { return real(this), true; });
}

void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  AnnotatedLock(this, kReadLock, [&] { return real(this), true; });
}

bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  return AnnotatedLock(this, kTryLock, [&] { return real(this); });
}

bool Mutex::ReaderTryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  return AnnotatedLock(this, kTryLock | kReadLock, [&] { return real(this); });
}

void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  AnnotatedUnlock(this, 0, [&] { real(this); });
}

void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  AnnotatedUnlock(this, kReadLock, [&] { real(this); });
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex8LockWhenERKNS0_9ConditionE");
  AnnotatedLock(this, 0, [&] { return real(this, cond), true; });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  AnnotatedLock(this, kReadLock, [&] { return real(this, cond), true; });
}

// The timed LockWhen calls hold the mutex when they return, whether or not the condition
// became true.
bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  bool result = false;
  AnnotatedLock(this, 0, [&] { return result = real(this, cond, timeout), true; });
  return result;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  bool result = false;
  AnnotatedLock(this, 0, [&] { return result = real(this, cond, deadline), true; });
  return result;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  bool result = false;
  AnnotatedLock(this, kReadLock, [&] { return result = real(this, cond, timeout), true; });
  return result;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  bool result = false;
  AnnotatedLock(this, kReadLock, [&] { return result = real(this, cond, deadline), true; });
  return result;
}

void Mutex::Await(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex5AwaitERKNS0_9ConditionE");
  AnnotatedWait(this, [&] { return real(this, cond), true; });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return AnnotatedWait(this, [&] { return real(this, cond, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return AnnotatedWait(this, [&] { return real(this, cond, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  AnnotatedWait(mu, [&] { return real(this, mu), true; });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return AnnotatedWait(mu, [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real =
      Real<bool (*)(CondVar*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return AnnotatedWait(mu, [&] { return real(this, mu, deadline); });
}

// A notification orders what the notifier did before Notify() before what a waiter does
// after its wait returns notified.
void Notification::Notify() {
  static const auto real = Real<void (*)(Notification*)>("12Notification6NotifyEv");
  if (calls_into_abseil == 0) __tsan_release(this);
  InsideAbseil([&] { return real(this), true; });
}

void Notification::WaitForNotification() const {
  static const auto real = Real<void (*)(const Notification*)>(
      "12Notification19WaitForNotificationEv", /*is_const=*/true);
  InsideAbseil([&] { return real(this), true; });
  if (calls_into_abseil == 0) __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static const auto real = Real<bool (*)(const Notification*, Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE", /*is_const=*/true);
  const bool notified = InsideAbseil([&] { return real(this, timeout); });
  if (notified && calls_into_abseil == 0) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static const auto real = Real<bool (*)(const Notification*, Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE", /*is_const=*/true);
  const bool notified = InsideAbseil([&] { return real(this, deadline); });
  if (notified && calls_into_abseil == 0) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
