package main

// Commands that seed the principals of the emulated workspace (users, service
// principals, groups and their members) and undo changes made by hand, and
// `serve`, the REST API over the workspace (internal/httpapi).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"llmkeyvault/emulator/internal/httpapi"
	"llmkeyvault/emulator/internal/provider"
	"llmkeyvault/emulator/internal/workspace"
)

const principalsUsage = `
Principals and changes undone by hand:
  add-user      [--dir D] --name USER [--display-name N]
  add-service-principal [--dir D] --application-id ID [--display-name N]
  add-member    [--dir D] --group G --member M   (M: a user name, application id or group; the group is created if new)
  remove-member [--dir D] --group G --member M
  delete-acl    [--dir D] --scope S --principal P
  delete-secret [--dir D] --scope S --key K
  revoke-grant  [--dir D] --securable catalog|schema|secret --name N --principal P [--caller P]

The REST API (reads only) over the folder, for clients such as databricks-sdk:
  serve         [--dir D] [--port N] [--host H] [--token T] [--as P]
                prints "listening on http://H:PORT" once ready; --port 0 picks a free
                port; with --token every request must carry "Authorization: Bearer T";
                --as is the identity SCIM Me answers (default %s)
`

func init() {
	add := map[string]command{
		"add-user": {flags: twoFlagCommand("principal", "add-user",
			flagSpec{"name", "user name (an e-mail address)"}, flagSpec{"display-name", "display name"},
			firstOf, (*workspace.Workspace).AddUser)},
		"add-service-principal": {flags: twoFlagCommand("principal", "add-service-principal",
			flagSpec{"application-id", "application id"}, flagSpec{"display-name", "display name"},
			firstOf, (*workspace.Workspace).AddServicePrincipal)},
		"add-member":    {flags: memberCommand("add-member", (*workspace.Workspace).AddMember)},
		"remove-member": {flags: memberCommand("remove-member", (*workspace.Workspace).RemoveMember)},
		"delete-acl": {flags: twoFlagCommand(workspace.KindACL, "delete-acl",
			flagSpec{"scope", "scope name"}, flagSpec{"principal", "principal"},
			joinedBy("|||"), (*workspace.Workspace).DeleteACL)},
		"delete-secret": {flags: twoFlagCommand(workspace.KindSecret, "delete-secret",
			flagSpec{"scope", "scope name"}, flagSpec{"key", "secret key"},
			joinedBy("|||"), (*workspace.Workspace).DeleteSecret)},
		"revoke-grant": {flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
			securable := fs.String("securable", "", "catalog, schema or secret")
			name := fs.String("name", "", "the securable's full name")
			principal := fs.String("principal", "", "principal")
			caller := fs.String("caller", provider.DefaultIdentity, "the principal that revokes")
			return func(w *workspace.Workspace, now int64) error {
				logCLI(w, workspace.KindGrant, "revoke-grant", *securable+"/"+*name+"/"+*principal, now)
				if _, err := w.PrincipalGrant(*securable, *name, *principal); err != nil {
					return err
				}
				_, err := w.SetPrincipalGrant(*securable, *name, *principal, nil, *caller)
				return err
			}
		}},
	}
	for name, c := range add {
		if _, ok := commands[name]; !ok { // a command of the same name defined elsewhere wins
			commands[name] = c
		}
	}
}

func memberCommand(op string, fn func(*workspace.Workspace, string, string) error) func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
	return twoFlagCommand("principal", op,
		flagSpec{"group", "group display name"}, flagSpec{"member", "user name, application id or group display name"},
		joinedBy("/"), fn)
}

// flagSpec is a string flag: its name and usage; its default is empty.
type flagSpec struct{ name, usage string }

// twoFlagCommand is a command of two string flags, a and b: it logs op on kind with the
// target target(a, b), then runs fn(a, b).
func twoFlagCommand(kind, op string, a, b flagSpec, target func(a, b string) string,
	fn func(*workspace.Workspace, string, string) error) func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
	return func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		first := fs.String(a.name, "", a.usage)
		second := fs.String(b.name, "", b.usage)
		return func(w *workspace.Workspace, now int64) error {
			logCLI(w, kind, op, target(*first, *second), now)
			return fn(w, *first, *second)
		}
	}
}

// firstOf targets the first flag alone (a principal's name, not its display name).
func firstOf(a, _ string) string { return a }

// joinedBy targets both flags, joined by sep.
func joinedBy(sep string) func(a, b string) string {
	return func(a, b string) string { return a + sep + b }
}

// serveHTTP runs the REST API until SIGINT or SIGTERM.
func serveHTTP(args []string, stdout, stderr io.Writer) int {
	var port *int
	var host, token, as *string
	st, code := openWorkspace("serve", args, stderr, func(fs *flag.FlagSet) {
		port = fs.Int("port", 0, "TCP port (0: a free one)")
		host = fs.String("host", "127.0.0.1", "address to listen on")
		token = fs.String("token", "", "bearer token every request must carry (empty: any)")
		as = fs.String("as", provider.DefaultIdentity, "the identity SCIM Me answers")
	})
	if st == nil {
		return code
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		fmt.Fprintf(stderr, "llmkeyvault-workspace-emulator serve: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: httpapi.New(st, *token, *as), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "llmkeyvault-workspace-emulator serve: %v\n", err)
		return 1
	}
	return 0
}
