package main

// Commands that change the emulated workspace "outside Pulumi": seeding the
// Unity Catalog schemas a platform team would have made, and the scopes,
// secrets and ACLs an older program or a person made by hand, so that tests
// can adopt or import them. Values come from standard input only.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"llmkeyvault/emulator/internal/provider"
	"llmkeyvault/emulator/internal/workspace"
)

// stdin is where values are read from (a variable for tests).
var stdin io.Reader = os.Stdin

// multiFlag is a repeatable flag, which a command must be given at least once.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

type command struct {
	flags func(fs *flag.FlagSet) func(w *workspace.Workspace, now int64) error
}

var commands = map[string]command{
	"seed": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		var schemas multiFlag
		fs.Var(&schemas, "schema", "<catalog>.<schema> to create (repeatable)")
		owner := fs.String("owner", provider.DefaultIdentity, "owner of the catalog (if new) and the schema")
		return func(w *workspace.Workspace, now int64) error {
			scratch := workspace.New() // all names checked before any is seeded
			for _, s := range schemas {
				if _, err := scratch.SeedSchema(s, *owner, now); err != nil {
					return err
				}
			}
			for _, s := range schemas {
				if _, err := w.SeedSchema(s, *owner, now); err != nil {
					return err
				}
				logCLI(w, workspace.KindSchema, "seed", s, now)
			}
			return nil
		}
	}},
	"put-scope": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		scope := fs.String("scope", "", "scope name")
		imp := fs.String("initial-manage-principal", "", "users, or empty for the creator's MANAGE")
		creator := fs.String("creator", provider.DefaultIdentity, "the principal that creates the scope")
		return func(w *workspace.Workspace, now int64) error {
			_, err := w.CreateScope(workspace.ScopeSpec{Name: *scope, InitialManagePrincipal: *imp, Creator: *creator}, now)
			logCLI(w, workspace.KindScope, "put-scope", *scope, now)
			return err
		}
	}},
	"put-secret": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		scope := fs.String("scope", "", "scope name")
		key := fs.String("key", "", "secret key")
		fromStdin := fs.Bool("digest-of-stdin", false, "read the value from standard input and store its digest")
		caller := fs.String("caller", "", "write as this principal, which needs WRITE or MANAGE on the scope (default: unchecked, as a workspace admin)")
		return func(w *workspace.Workspace, now int64) error {
			value, err := readValue(*fromStdin)
			if err != nil {
				return err
			}
			if *caller != "" {
				if err := w.RequireScopeRight(*scope, *caller, "WRITE"); err != nil {
					logCLI(w, workspace.KindSecret, "put-secret", *scope+"|||"+*key, now)
					return err
				}
			}
			_, err = w.PutSecret(*scope, *key, workspace.Digest(value), len(value), now)
			logCLI(w, workspace.KindSecret, "put-secret", *scope+"|||"+*key, now)
			return err
		}
	}},
	"put-uc-secret": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		name := fs.String("name", "", "<catalog>.<schema>.<secret>")
		owner := fs.String("owner", provider.DefaultIdentity, "the principal that creates (and owns) the secret")
		fromStdin := fs.Bool("digest-of-stdin", false, "read the value from standard input and store its digest")
		return func(w *workspace.Workspace, now int64) error {
			parts, err := workspace.SplitFullName(*name, 3)
			if err != nil {
				return err
			}
			value, err := readValue(*fromStdin)
			if err != nil {
				return err
			}
			_, err = w.CreateUCSecret(workspace.UCSecretSpec{CatalogName: parts[0], SchemaName: parts[1], Name: parts[2],
				ValueSha256: workspace.Digest(value), ValueLen: len(value)}, *owner, now)
			logCLI(w, workspace.KindUCSecret, "put-uc-secret", *name, now)
			return err
		}
	}},
	"put-acl": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		scope := fs.String("scope", "", "scope name")
		principal := fs.String("principal", "", "user, group or service principal")
		permission := fs.String("permission", "", "READ, WRITE or MANAGE")
		return func(w *workspace.Workspace, now int64) error {
			err := w.PutACL(*scope, *principal, *permission)
			logCLI(w, workspace.KindACL, "put-acl", *scope+"|||"+*principal, now)
			return err
		}
	}},
	"put-grant": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		securable := fs.String("securable", "", "catalog, schema, secret or model_provider_service")
		name := fs.String("name", "", "the securable's full name (<catalog>, <catalog>.<schema>, ...)")
		principal := fs.String("principal", "", "user, group or service principal")
		var privileges multiFlag
		fs.Var(&privileges, "privilege", "privilege to grant (repeatable)")
		caller := fs.String("caller", provider.DefaultIdentity, "the principal that grants (needs ownership or MANAGE)")
		return func(w *workspace.Workspace, now int64) error {
			// As the Grant resource does: this principal's privileges on the
			// securable become these; other principals are left alone.
			_, err := w.SetPrincipalGrant(*securable, *name, *principal, privileges, *caller)
			logCLI(w, workspace.KindGrant, "put-grant", *securable+"/"+*name+"/"+*principal, now)
			return err
		}
	}},
	"purge":   {flags: vaultCommand("purge", (*workspace.Workspace).PurgeVaultSecret)},
	"recover": {flags: vaultCommand("recover", (*workspace.Workspace).RecoverVaultSecret)},
}

func vaultCommand(op string, fn func(*workspace.Workspace, workspace.VaultRef, string) error) func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
	return func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		vault := fs.String("vault", "", "<resource group>/<vault name>")
		name := fs.String("name", "", "the soft-deleted secret's name")
		return func(w *workspace.Workspace, now int64) error {
			ref, err := workspace.ParseVaultKey(*vault)
			if err != nil {
				return err
			}
			err = fn(w, ref, *name)
			logCLI(w, workspace.KindVaultSecret, op, *vault+"/"+*name, now)
			return err
		}
	}
}

func readValue(fromStdin bool) (string, error) {
	if !fromStdin {
		return "", errors.New("--digest-of-stdin is required: the value is read from standard input, never from the command line")
	}
	b, err := io.ReadAll(stdin)
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", errors.New("standard input is empty: no value to store")
	}
	return string(b), nil
}

// logCLI records a change made outside Pulumi in the call log.
func logCLI(w *workspace.Workspace, kind, op, target string, now int64) {
	w.AppendLog(workspace.LogEntry{Pid: os.Getpid(), Kind: kind, Op: op, Target: target, StartMs: now, EndMs: now})
}

// missingMulti is an error naming the first multiFlag of fs that was not given.
func missingMulti(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if m, ok := f.Value.(*multiFlag); ok && len(*m) == 0 && err == nil {
			err = fmt.Errorf("--%s is required", f.Name)
		}
	})
	return err
}

func (c command) run(name string, args []string, stdout, stderr io.Writer) int {
	var apply func(w *workspace.Workspace, now int64) error
	var flags *flag.FlagSet
	st, code := openWorkspace(name, args, stderr, func(fs *flag.FlagSet) { apply, flags = c.flags(fs), fs })
	if st == nil {
		return code
	}
	// A missing flag is refused before the workspace is touched. The workspace
	// methods check before they change anything, so a refused command leaves
	// the workspace as it was (its log entry aside).
	err := missingMulti(flags)
	if err == nil {
		err = st.Update(func(w *workspace.Workspace) error { return apply(w, workspace.NowMs()) })
	}
	if err != nil {
		fmt.Fprintf(stderr, "llmkeyvault-workspace-emulator %s: %v\n", name, err)
		return 1
	}
	return 0
}

// openWorkspace parses the arguments of command name (--dir, and the flags
// addFlags defines, if any) and opens the workspace folder. On failure it
// reports to stderr and returns a nil store and the exit code.
func openWorkspace(name string, args []string, stderr io.Writer, addFlags func(fs *flag.FlagSet)) (*workspace.Store, int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", os.Getenv(workspace.DirEnv), "emulated workspace folder (default $"+workspace.DirEnv+")")
	if addFlags != nil {
		addFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "llmkeyvault-workspace-emulator %s: unexpected argument %q\n", name, fs.Arg(0))
		return nil, 2
	}
	if *dir == "" {
		fmt.Fprintf(stderr, "llmkeyvault-workspace-emulator %s: no folder: pass --dir or set %s\n", name, workspace.DirEnv)
		return nil, 2
	}
	st, err := workspace.Open(*dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 1
	}
	return st, 0
}
