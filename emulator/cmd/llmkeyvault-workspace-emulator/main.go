// Command llmkeyvault-workspace-emulator is a test double: it serves Pulumi
// resource provider plugins in place of the real databricks, random and
// azure-native providers, so the Pulumi engine can deploy the llmkeyvault
// component offline in tests and demos. It never talks to a real workspace.
//
// Called through a symlink named pulumi-resource-databricks,
// pulumi-resource-random or pulumi-resource-azure-native, it serves that
// plugin; called by its own name, it is a small CLI over the emulated
// workspace (see usage).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/provider"
	"llmkeyvault/emulator/internal/workspace"
)

const usage = `llmkeyvault-workspace-emulator: a TEST DOUBLE of a Databricks workspace (and of
the Azure Key Vaults behind Key Vault-backed scopes) for llmkeyvault's tests and
offline demos. It never talks to a real workspace and holds no secret value.

Usage:
  llmkeyvault-workspace-emulator dump  [--dir D]   print the emulated workspace as JSON
                                                  (names, metadata, ACLs, grants, SHA-256
                                                  digests, counters, call log; never a value)
  llmkeyvault-workspace-emulator reset [--dir D]   empty the emulated workspace
  llmkeyvault-workspace-emulator plugins          list the plugin names it serves

Make things exist "outside Pulumi" (as a platform team or an older program did):
  seed          [--dir D] --schema <catalog>.<schema> [--schema ...] [--owner P]
  put-scope     [--dir D] --scope S [--initial-manage-principal users] [--creator P]
  put-secret    [--dir D] --scope S --key K --digest-of-stdin [--caller P]
                                           as databricks secrets put-secret (with --caller: needs WRITE or MANAGE)
  put-vault-secret [--dir D] --vault-id <vault ARM id> --name N --digest-of-stdin
                                           as az keyvault secret set
  update-uc-secret [--dir D] --name <catalog>.<schema>.<secret> --digest-of-stdin [--caller P]
                                           as databricks secrets-uc update-secret (the owner only)
  add-member    [--dir D] --group G --member M   a user, application id or group into a group (admins: workspace admins)
  put-uc-secret [--dir D] --name <catalog>.<schema>.<secret> --digest-of-stdin [--owner P]
  put-acl       [--dir D] --scope S --principal P --permission READ|WRITE|MANAGE
  put-grant     [--dir D] --securable catalog|schema|secret --name N --principal P --privilege X [--privilege ...] [--caller P]
                                           set one principal's privileges on a Unity Catalog securable
  purge         [--dir D] --vault <resource group>/<vault> --name N   purge a soft-deleted Key Vault secret
  recover       [--dir D] --vault <resource group>/<vault> --name N   recover a soft-deleted Key Vault secret

A value is read from standard input (never from the command line) and only its
SHA-256 digest is stored: exactly the bytes read, a trailing newline included.
P defaults to %s, the identity the plugins act as when the
provider configuration names none.

D defaults to $LLMKEYVAULT_EMULATOR_DIR. The plugins are served through symlinks
to this binary named %s.
`

func main() {
	name := filepath.Base(os.Args[0])
	if pkg, ok := provider.Packages[name]; ok {
		os.Exit(serve(pkg))
	}
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

func serve(pkg *provider.Package) int {
	err := pprovider.Main(pkg.Name, func(host *pprovider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		var logger provider.Logger
		if host != nil {
			logger = host
		}
		return provider.NewServer(pkg, logger), nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "llmkeyvault workspace emulator (%s): %v\n", pkg.Name, err)
		return 1
	}
	return 0
}

func pluginNames() []string {
	var names []string
	for n := range provider.Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func cli(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, usage, provider.DefaultIdentity, strings.Join(pluginNames(), ", "))
		fmt.Fprintf(stdout, principalsUsage, provider.DefaultIdentity)
		fmt.Fprint(stdout, workloadsUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd := args[0]
	switch cmd {
	case "plugins":
		for _, n := range pluginNames() {
			pkg := provider.Packages[n]
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", n, pkg.Name, pkg.Version())
		}
		return 0
	case "serve":
		return serveHTTP(args[1:], stdout, stderr)
	case "dump", "reset":
	default:
		if c, ok := commands[cmd]; ok {
			return c.run(cmd, args[1:], stdout, stderr)
		}
		fmt.Fprintf(stderr, "llmkeyvault-workspace-emulator: unknown command %q\n", cmd)
		fmt.Fprintf(stderr, usage, provider.DefaultIdentity, strings.Join(pluginNames(), ", "))
		return 2
	}
	st, code := openWorkspace(cmd, args[1:], stderr, nil)
	if st == nil {
		return code
	}
	if cmd == "reset" {
		if err := st.Reset(); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	var d workspace.Dump
	if err := st.View(func(w *workspace.Workspace) error {
		d = w.Dump()
		return nil
	}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	d.Dir = st.Dir
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
