// `jejak-authority user add|list|disable`: the staff accounts of the console (/console/).
// A password never appears on the command line (where other local users read it in /proc):
// it is read from standard input, or asked for on the terminal without echo.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "authority/cli/cli_authority.h"
#include "platform/cli/cli_format.h"
#include "authority/authority_state.h"
#include "authority/store/open_authority_store.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/secret.h"

namespace jejak {
namespace {

struct UserArgs {
    std::string name;
    std::string role = "issuer";
    std::string database;
};

// The authority's store migrated, then the console's store in the same database.
std::unique_ptr<authority::ConsoleStore> OpenUsers(const CliEnv& env, const std::string& database,
                                                   const std::string& what) {
    auto state = authority::AuthorityState::Open(env.state_dir, authority::ExportKey::kSkip,
                                                 database);
    if (!state.ok()) Fail(state.status(), what);
    auto store = (*state)->OpenStore(1);
    if (!store.ok()) Fail(store.status(), what);
    auto users = authority::OpenConsoleStore((*state)->database(), 1);
    if (!users.ok()) Fail(users.status(), what);
    return std::move(*users);
}

std::string ReadPassword() {
    std::string password;
    if (::isatty(STDIN_FILENO) == 1) {
        const char* typed = ::getpass("password (at least 12 characters): ");
        if (typed) password = typed;
    } else {
        std::getline(std::cin, password);
    }
    while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) {
        password.pop_back();
    }
    if (password.size() < 12) {
        SecureZero(password.data(), password.size());
        throw CliError(kExitUsage, "user add: the password needs at least 12 characters");
    }
    return password;
}

void RunUserAdd(const UserArgs& args, CliEnv& env) {
    if (Status s = SystemRandom::Init(); !s.ok()) Fail(s, "user add");
    auto users = OpenUsers(env, args.database, "user add");
    std::string password = ReadPassword();
    Result<std::string> hash = HashPassword(password);
    SecureZero(password.data(), password.size());
    if (!hash.ok()) Fail(hash.status(), "user add");
    const int64_t now = env.clock.NowUnixMicros() / 1000000;
    if (Status s = users->AddUser(args.name, args.role, *hash, now); !s.ok()) Fail(s, "user add");
    (void)users->Audit({now, "cli", "user_add", args.name + " as " + args.role});
    env.out << "user " << args.name << " added as " << args.role << "\n";
}

void RunUserList(const UserArgs& args, CliEnv& env) {
    auto users = OpenUsers(env, args.database, "user list");
    auto list = users->ListUsers();
    if (!list.ok()) Fail(list.status(), "user list");
    for (const authority::StaffUser& u : *list) {
        env.out << u.name << " " << u.role << " " << (u.disabled ? "disabled" : "active")
                << " since " << IsoTime(u.created_at) << "\n";
    }
}

void RunUserDisable(const UserArgs& args, CliEnv& env) {
    auto users = OpenUsers(env, args.database, "user disable");
    if (Status s = users->SetUserDisabled(args.name, true); !s.ok()) Fail(s, "user disable");
    (void)users->Audit({env.clock.NowUnixMicros() / 1000000, "cli", "user_disable", args.name});
    env.out << "user " << args.name << " disabled (sessions ended)\n";
}

bool ValidName(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

}  // namespace

void RegisterUserCommands(CLI::App& app, CliEnv& env) {
    CLI::App* u = app.add_subcommand("user", "Staff accounts of the console (/console/)");
    u->require_subcommand(1);
    const auto name_check = CLI::Validator(
        [](std::string& name) {
            return ValidName(name) ? std::string() : "1-64 characters of a-z 0-9 . _ -";
        },
        "NAME");
    const auto database = [](CLI::App* c, std::string& db) {
        c->add_option("--database", db,
                      "Store: a SQLite file or a postgresql:// URI (default: authority.json's)");
    };

    auto add = std::make_shared<UserArgs>();
    CLI::App* a = u->add_subcommand("add", "Add a user; the password is read from standard input "
                                           "or asked for on the terminal");
    a->add_option("name", add->name, "User name")->required()->check(name_check);
    a->add_option("--role", add->role, "issuer (issues and revokes codes) or admin")
        ->check(CLI::IsMember({"issuer", "admin"}));
    database(a, add->database);
    a->callback([add, &env] { RunUserAdd(*add, env); });

    auto list = std::make_shared<UserArgs>();
    CLI::App* l = u->add_subcommand("list", "List users with role and state");
    database(l, list->database);
    l->callback([list, &env] { RunUserList(*list, env); });

    auto dis = std::make_shared<UserArgs>();
    CLI::App* d = u->add_subcommand("disable", "Disable a user and end their sessions");
    d->add_option("name", dis->name, "User name")->required()->check(name_check);
    database(d, dis->database);
    d->callback([dis, &env] { RunUserDisable(*dis, env); });
}

}  // namespace jejak
