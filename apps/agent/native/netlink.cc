// rtnetlink for the agent: addresses added, removed and listed, and link state changes as events,
// without spawning iproute2 (a process per VIP delays a takeover by 5–80 ms) and without polling
// every interface (the kernel tells us). Requests are synchronous: the kernel answers a route
// netlink request before sendmsg() returns to us, so a VIP add costs microseconds.
#include "netlink.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace keepwatch {

namespace {

[[noreturn]] void Fail(Napi::Env env, const std::string& what) {
  throw Napi::Error::New(env, what + ": " + std::strerror(errno));
}

// Closes the socket on every path out of a request.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

int RouteSocket(Napi::Env env, unsigned groups, bool nonblocking) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
  if (fd < 0) Fail(env, "socket(AF_NETLINK)");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = groups;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    Fail(env, "bind(AF_NETLINK)");
  }
  return fd;
}

void AddAttr(std::vector<char>& msg, unsigned short type, const void* data, size_t len) {
  size_t at = msg.size();
  msg.resize(at + RTA_SPACE(len));
  auto* rta = reinterpret_cast<rtattr*>(msg.data() + at);
  rta->rta_type = type;
  rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  std::memcpy(RTA_DATA(rta), data, len);
}

int FamilyOf(Napi::Env env, const Napi::Value& v) {
  int family = v.As<Napi::Number>().Int32Value();
  if (family == 4) return AF_INET;
  if (family == 6) return AF_INET6;
  if (family == 0) return AF_UNSPEC;
  throw Napi::TypeError::New(env, "family must be 0, 4 or 6");
}

}  // namespace

// addrChange(add: boolean, family: 4|6, ifindex, address, prefix, nodad): number — 0, or the
// errno the kernel answered (EEXIST, EADDRNOTAVAIL, …): the caller decides which are errors.
// An add replaces an existing address (NLM_F_REPLACE), as `ip addr replace`.
Napi::Value AddrChange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool add = info[0].As<Napi::Boolean>().Value();
  int family = FamilyOf(env, info[1]);
  unsigned ifindex = info[2].As<Napi::Number>().Uint32Value();
  std::string address = info[3].As<Napi::String>().Utf8Value();
  unsigned prefix = info[4].As<Napi::Number>().Uint32Value();
  bool nodad = info[5].As<Napi::Boolean>().Value();
  if (family == AF_UNSPEC || ifindex == 0) throw Napi::TypeError::New(env, "family 4 or 6 and an interface index");
  unsigned char bytes[16];
  size_t len = family == AF_INET ? 4 : 16;
  if (inet_pton(family, address.c_str(), bytes) != 1) throw Napi::TypeError::New(env, "bad address " + address);
  if (prefix > len * 8) throw Napi::TypeError::New(env, "bad prefix length");

  std::vector<char> msg(NLMSG_SPACE(sizeof(ifaddrmsg)));
  auto* nlh = reinterpret_cast<nlmsghdr*>(msg.data());
  nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
  nlh->nlmsg_seq = 1;
  auto* ifa = reinterpret_cast<ifaddrmsg*>(NLMSG_DATA(nlh));
  ifa->ifa_family = static_cast<unsigned char>(family);
  ifa->ifa_prefixlen = static_cast<unsigned char>(prefix);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = ifindex;
  if (nodad) ifa->ifa_flags = IFA_F_NODAD;
  // As iproute2: IPv4 names the address as local and peer; IPv6 as the address alone.
  if (family == AF_INET) AddAttr(msg, IFA_LOCAL, bytes, len);
  AddAttr(msg, IFA_ADDRESS, bytes, len);
  nlh = reinterpret_cast<nlmsghdr*>(msg.data());
  nlh->nlmsg_len = static_cast<unsigned>(msg.size());

  Fd s(RouteSocket(env, 0, false));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(s.fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    Fail(env, "sendto(RTM_NEWADDR)");
  char buf[8192];
  for (int i = 0; i < 16; i++) {
    ssize_t n = recv(s.fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(env, "recv(netlink ack)");
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<unsigned>(n)); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* err = reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h));
        return Napi::Number::New(env, -err->error);
      }
    }
  }
  throw Napi::Error::New(env, "netlink: no acknowledgement");
}

// addrList(family: 0|4|6, ifindex: number): { address, prefix, scope, secondary }[] — the
// interface's addresses in the kernel's order (the first IPv4 one is the primary).
Napi::Value AddrList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int family = FamilyOf(env, info[0]);
  unsigned ifindex = info[1].As<Napi::Number>().Uint32Value();
  struct {
    nlmsghdr nlh;
    ifaddrmsg ifa;
  } req{};
  req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  req.nlh.nlmsg_type = RTM_GETADDR;
  req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nlh.nlmsg_seq = 1;
  req.ifa.ifa_family = static_cast<unsigned char>(family);

  Fd s(RouteSocket(env, 0, false));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(s.fd, &req, req.nlh.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    Fail(env, "sendto(RTM_GETADDR)");
  Napi::Array out = Napi::Array::New(env);
  uint32_t count = 0;
  std::vector<char> buf(32768);
  for (int i = 0; i < 4096; i++) {
    ssize_t n = recv(s.fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(env, "recv(RTM_GETADDR)");
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return out;
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        Fail(env, "RTM_GETADDR");
      }
      if (h->nlmsg_type != RTM_NEWADDR) continue;
      auto* ifa = reinterpret_cast<ifaddrmsg*>(NLMSG_DATA(h));
      if (ifa->ifa_index != ifindex) continue;
      const void* local = nullptr;
      const void* addr = nullptr;
      int rlen = static_cast<int>(IFA_PAYLOAD(h));
      for (auto* rta = IFA_RTA(ifa); RTA_OK(rta, rlen); rta = RTA_NEXT(rta, rlen)) {
        if (rta->rta_type == IFA_LOCAL) local = RTA_DATA(rta);
        if (rta->rta_type == IFA_ADDRESS) addr = RTA_DATA(rta);
      }
      const void* a = local != nullptr ? local : addr;  // IPv4 peers: the local address is ours
      if (a == nullptr) continue;
      char text[INET6_ADDRSTRLEN];
      if (inet_ntop(ifa->ifa_family, a, text, sizeof text) == nullptr) continue;
      Napi::Object o = Napi::Object::New(env);
      o.Set("family", ifa->ifa_family == AF_INET ? 4 : 6);
      o.Set("address", text);
      o.Set("prefix", static_cast<double>(ifa->ifa_prefixlen));
      o.Set("scope", ifa->ifa_scope == RT_SCOPE_UNIVERSE ? "global"
                     : ifa->ifa_scope == RT_SCOPE_LINK   ? "link"
                     : ifa->ifa_scope == RT_SCOPE_HOST   ? "host"
                                                         : "other");
      o.Set("secondary", (ifa->ifa_flags & IFA_F_SECONDARY) != 0);
      out.Set(count++, o);
    }
  }
  throw Napi::Error::New(env, "RTM_GETADDR: dump did not end");
}

// openLinkEvents(): number — a non-blocking netlink socket that receives RTM_NEWLINK/RTM_DELLINK
// for every interface (RTMGRP_LINK); watch it with a Watcher, read it with readLinkEvents.
Napi::Value OpenLinkEvents(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), RouteSocket(info.Env(), RTMGRP_LINK, true));
}

// readLinkEvents(fd): { index, name, up }[] | null — the link changes queued on the socket (up:
// IFF_UP and IFF_RUNNING, false for a removed link); null when the kernel dropped notifications
// (ENOBUFS): the caller must read every link's state again.
Napi::Value ReadLinkEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Array out = Napi::Array::New(env);
  uint32_t count = 0;
  std::vector<char> buf(32768);
  for (int i = 0; i < 256; i++) {
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return out;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) return env.Null();
      Fail(env, "recv(RTMGRP_LINK)");
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) continue;
      auto* ifi = reinterpret_cast<ifinfomsg*>(NLMSG_DATA(h));
      std::string name;
      int rlen = static_cast<int>(IFLA_PAYLOAD(h));
      for (auto* rta = IFLA_RTA(ifi); RTA_OK(rta, rlen); rta = RTA_NEXT(rta, rlen))
        if (rta->rta_type == IFLA_IFNAME) name = static_cast<const char*>(RTA_DATA(rta));
      Napi::Object o = Napi::Object::New(env);
      o.Set("index", static_cast<double>(ifi->ifi_index));
      o.Set("name", name);
      o.Set("up", h->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING));
      out.Set(count++, o);
    }
  }
  return out;
}

void InitNetlink(Napi::Env env, Napi::Object exports) {
  exports.Set("addrChange", Napi::Function::New(env, AddrChange));
  exports.Set("addrList", Napi::Function::New(env, AddrList));
  exports.Set("openLinkEvents", Napi::Function::New(env, OpenLinkEvents));
  exports.Set("readLinkEvents", Napi::Function::New(env, ReadLinkEvents));
}

}  // namespace keepwatch
