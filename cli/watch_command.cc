#include "cli/watch_command.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <ostream>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "cli/terminal_text.h"
#include "cli/watch_view.h"

namespace postura::cli {
namespace {

constexpr char kHideCursor[] = "\x1b[?25l";
constexpr char kShowCursor[] = "\x1b[?25h";
constexpr char kClearScreen[] = "\x1b[2J";

// Set by the signal handler; lock-free, so async-signal-safe.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnInterrupt(int /*signal_number*/) { interrupted.store(true); }

// SIGINT and SIGTERM set `interrupted` while an object lives; the old handlers come back
// on destruction.
class InterruptHandlers {
 public:
  InterruptHandlers() {
    interrupted.store(false);
    struct sigaction action = {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptHandlers() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
};

v1::WatchRequest RequestFor(const WatchOptions& options) {
  v1::WatchRequest request;
  for (const std::string& id : options.asset_ids) request.add_asset_ids(id);
  request.set_department_id(options.department_id);
  request.set_supplier_id(options.supplier_id);
  request.set_only_target_transitions(options.targets_only);
  return request;
}

// Writes each update as the output mode wants it.
class UpdatePrinter {
 public:
  UpdatePrinter(CommandContext& context, bool terminal)
      : context_(context), terminal_(terminal && context.format == OutputFormat::kText) {
    if (terminal_) {
      context_.out << "Waiting for the collector at " << context_.collector.address()
                   << " (Ctrl-C to quit)..." << std::endl;
    }
  }
  ~UpdatePrinter() {
    if (drawn_) context_.screen << kShowCursor << std::flush;
  }

  void Print(const v1::ScoreUpdate& update) {
    if (context_.format == OutputFormat::kJson) {
      context_.out << TerminalSafeLines(ProtoJson(update, /*indented=*/false)) << std::endl;
    } else if (!terminal_) {
      context_.out << WatchUpdateLine(update) << std::endl;
    } else {
      view_.Apply(update);
      // The screen's own control sequences must reach the terminal: it goes to `screen`,
      // and WatchScreen shows the header and table through TerminalSafe.
      if (!drawn_) {
        context_.out << std::flush;
        context_.screen << kHideCursor << kClearScreen;
      }
      drawn_ = true;
      const absl::TimeZone zone = absl::LocalTimeZone();
      const std::string header = absl::StrFormat(
          "postura watch: %d assets at %s, %s (Ctrl-C to quit)", view_.size(),
          context_.collector.address(), absl::FormatTime("%H:%M:%S", absl::Now(), zone));
      context_.screen << WatchScreen(header, view_.Table(zone)) << std::flush;
    }
  }

 private:
  CommandContext& context_;
  const bool terminal_;
  bool drawn_ = false;
  WatchView view_;
};

}  // namespace

int RunWatch(CommandContext& c, const WatchOptions& options) {
  InterruptHandlers handlers;
  grpc::ClientContext call;
  absl::Notification finished;
  // Read() blocks, so a thread of ours turns an interrupt into a cancelled call.
  std::thread canceller([&] {
    while (!finished.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
      if (interrupted.load()) {
        call.TryCancel();
        return;
      }
    }
  });
  int status = kExitOk;
  {
    UpdatePrinter printer(c, isatty(STDOUT_FILENO) == 1);
    std::unique_ptr<grpc::ClientReader<v1::ScoreUpdate>> reader =
        c.collector.query().Watch(&call, RequestFor(options));
    v1::ScoreUpdate update;
    while (reader->Read(&update)) printer.Print(update);
    const grpc::Status finish = reader->Finish();
    if (!interrupted.load() && !finish.ok()) {
      status = c.Fail(FromGrpcStatus(finish));
    } else if (!interrupted.load()) {
      c.err << "postura: the collector at " << c.collector.address() << " ended the watch\n";
    }
  }
  finished.Notify();
  canceller.join();
  return status;
}

void AddWatchCommand(CLI::App& app, CommandLine& line) {
  auto options = std::make_shared<WatchOptions>();
  CLI::App* watch = app.add_subcommand(
      "watch",
      "Follow score changes live: a table updated in place on a terminal, one line per "
      "update otherwise (JSON lines with --format json), until Ctrl-C");
  watch->add_option("--asset", options->asset_ids, "Watch this asset (repeatable; default: all)");
  watch->add_option("--department", options->department_id, "Only this department's assets");
  watch->add_option("--supplier", options->supplier_id, "Only this supplier's assets");
  watch->add_flag("--targets-only", options->targets_only,
                  "Only changes where an asset starts or stops meeting all its targets");
  AddFormatOption(watch, line);
  OnSelected(watch, line, [options](CommandContext& c) { return RunWatch(c, *options); });
}

}  // namespace postura::cli
