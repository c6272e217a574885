// spawnProbe and reapProbe: how the agent runs a check script without copying itself.
//
// libuv's spawn forks: the kernel copies the page tables of the whole agent (~80 MB resident) and
// every page the agent writes before the child execs is copied again. A check runs every second,
// so that copy was most of the agent's idle CPU with a script check (issue 16). Here the child is
// made with clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn does: it borrows the agent's
// memory until execve, and the agent's thread waits meanwhile. posix_spawn itself cannot change
// the user, so the child's steps are written out; between clone and execve it calls only
// async-signal-safe functions and raw syscalls (glibc's setresuid wrapper would signal the
// agent's other threads, which the child must never touch).
#include "spawn.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void ThrowErrno(Napi::Env env, const std::string& what, int err) {
  throw Napi::Error::New(env, what + ": " + std::strerror(err));
}

// What the child reports through the error pipe when a step before execve fails.
struct ChildFailure {
  int step;
  int err;
};
const char* const STEPS[] = {"setpgid", "setgroups", "setresgid", "setresuid", "dup2", "execve"};

struct ChildArgs {
  const char* file;
  char* const* argv;
  char* const* envp;
  long uid;  // -1: keep
  long gid;  // -1: keep
  int nullFd;
  int outFd;
  int errFd;
};

[[noreturn]] void ChildFail(const ChildArgs* a, int step) {
  ChildFailure f{step, errno};
  ssize_t ignored = write(a->errFd, &f, sizeof f);
  (void)ignored;
  _exit(127);
}

int ChildMain(void* p) {
  const auto* a = static_cast<const ChildArgs*>(p);
  // The agent's handlers must not run in the child (it shares the agent's memory until execve);
  // the script starts with every signal at its default and none blocked, as libuv's child does.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, nullptr);  // SIGKILL/SIGSTOP and glibc's own refuse: fine
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Its own process group: a timeout kills the script and whatever it started as one.
  if (setpgid(0, 0) < 0) ChildFail(a, 0);
  if (a->gid >= 0) {
    if (syscall(SYS_setgroups, 0, nullptr) < 0) ChildFail(a, 1);
    if (syscall(SYS_setresgid, a->gid, a->gid, a->gid) < 0) ChildFail(a, 2);
  }
  if (a->uid >= 0 && syscall(SYS_setresuid, a->uid, a->uid, a->uid) < 0) ChildFail(a, 3);
  if (dup2(a->nullFd, 0) < 0 || dup2(a->outFd, 1) < 0 || dup2(a->outFd, 2) < 0) ChildFail(a, 4);
  execve(a->file, a->argv, a->envp);
  ChildFail(a, 5);
}

std::vector<std::string> Strings(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of strings");
  auto arr = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value item = arr.Get(i);
    if (!item.IsString()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of strings");
    std::string s = item.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) throw Napi::TypeError::New(env, std::string(what) + " holds a NUL byte");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) close(fd);
}

// spawnProbe(file, argv, envp, uid, gid): { pid, pidfd, output }. `file` is an absolute path
// (the caller resolves PATH); uid/gid -1 keep the agent's. stdin is /dev/null; stdout and stderr
// share one pipe, `output` its read end (non-blocking, close-on-exec). `pidfd` becomes readable
// when the child exits; reap it with reapProbe. Throws "<step> <file>: <errno text>" when the
// child could not become the script (nothing is left running then).
Napi::Value SpawnProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string file = info[0].As<Napi::String>().Utf8Value();
  if (file.empty() || file[0] != '/' || file.find('\0') != std::string::npos)
    throw Napi::TypeError::New(env, "file must be an absolute path");
  auto argvStrings = Strings(env, info[1], "argv");
  auto envStrings = Strings(env, info[2], "envp");
  long uid = info[3].As<Napi::Number>().Int64Value();
  long gid = info[4].As<Napi::Number>().Int64Value();
  auto argv = Pointers(argvStrings);
  auto envp = Pointers(envStrings);

  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) < 0) ThrowErrno(env, "pipe2", errno);
  if (pipe2(err, O_CLOEXEC) < 0) {
    int e = errno;
    CloseAll({out[0], out[1]});
    ThrowErrno(env, "pipe2", e);
  }
  int nullFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (nullFd < 0) {
    int e = errno;
    CloseAll({out[0], out[1], err[0], err[1]});
    ThrowErrno(env, "/dev/null", e);
  }
  ChildArgs args{file.c_str(), argv.data(), envp.data(), uid, gid, nullFd, out[1], err[1]};
  // The child's stack; it runs only ChildMain's few calls.
  std::vector<char> stack(64 * 1024);
  // No signal may reach a handler while the child runs on the agent's memory: block them all in
  // this thread (the child inherits the mask and clears it itself), restore after.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);  // this thread only (glibc; pthread_sigmask needs 2.32)
  int pid = clone(ChildMain, stack.data() + stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int cloneErr = errno;
  sigprocmask(SIG_SETMASK, &old, nullptr);
  CloseAll({out[1], err[1], nullFd});
  if (pid < 0) {
    CloseAll({out[0], err[0]});
    ThrowErrno(env, "clone", cloneErr);
  }
  // The child has exec'd (the error pipe closed on exec: read sees EOF) or failed and exited.
  ChildFailure failure{};
  ssize_t n = read(err[0], &failure, sizeof failure);
  close(err[0]);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status;
    waitpid(pid, &status, 0);
    close(out[0]);
    ThrowErrno(env, std::string(STEPS[failure.step]) + " " + file, failure.err);
  }
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    int e = errno;
    kill(-pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(out[0]);
    ThrowErrno(env, "pidfd_open", e);
  }
  fcntl(static_cast<int>(pidfd), F_SETFD, FD_CLOEXEC);
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", pid);
  result.Set("pidfd", static_cast<double>(pidfd));
  result.Set("output", out[0]);
  return result;
}

// reapProbe(pid): null while the child runs; else { code, signal } (one of them null).
Napi::Value ReapProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) throw Napi::TypeError::New(env, "pid must be positive");
  int status = 0;
  pid_t got = waitpid(pid, &status, WNOHANG);
  if (got < 0) ThrowErrno(env, "waitpid(" + std::to_string(pid) + ")", errno);
  if (got == 0) return env.Null();
  Napi::Object result = Napi::Object::New(env);
  result.Set("code", WIFEXITED(status) ? Napi::Value(Napi::Number::New(env, WEXITSTATUS(status))) : env.Null());
  result.Set("signal", WIFSIGNALED(status) ? Napi::Value(Napi::Number::New(env, WTERMSIG(status))) : env.Null());
  return result;
}

}  // namespace

namespace keepwatch {
void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnProbe", Napi::Function::New(env, SpawnProbe));
  exports.Set("reapProbe", Napi::Function::New(env, ReapProbe));
}
}  // namespace keepwatch
