package main

// Commands for writing values the way a security team does outside Pulumi:
// a Key Vault secret as `az keyvault secret set` writes it,
// and a new value of a Unity Catalog secret as `databricks secrets-uc
// update-secret` writes it.

import (
	"flag"

	"llmkeyvault/emulator/internal/provider"
	"llmkeyvault/emulator/internal/workspace"
)

func init() {
	commands["put-vault-secret"] = command{flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		vaultID := fs.String("vault-id", "", "the vault's ARM id /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>")
		name := fs.String("name", "", "secret name")
		fromStdin := fs.Bool("digest-of-stdin", false, "read the value from standard input and store its digest")
		return func(w *workspace.Workspace, now int64) error {
			ref, err := workspace.ParseVaultID(*vaultID)
			if err != nil {
				return err
			}
			value, err := readValue(*fromStdin)
			if err != nil {
				return err
			}
			_, err = w.PutVaultSecret(workspace.VaultSecretSpec{Vault: ref, Name: *name,
				ValueSha256: workspace.Digest(value), ValueLen: len(value)}, now)
			logCLI(w, workspace.KindVaultSecret, "put-vault-secret", ref.Key()+"/"+*name, now)
			return err
		}
	}}
	commands["update-uc-secret"] = command{flags: func(fs *flag.FlagSet) func(*workspace.Workspace, int64) error {
		name := fs.String("name", "", "<catalog>.<schema>.<secret>")
		fromStdin := fs.Bool("digest-of-stdin", false, "read the new value from standard input and store its digest")
		caller := fs.String("caller", provider.DefaultIdentity, "the principal that writes (must own the secret)")
		return func(w *workspace.Workspace, now int64) error {
			value, err := readValue(*fromStdin)
			if err != nil {
				return err
			}
			sec, err := w.UCSecretByName(*name)
			if err != nil {
				return err
			}
			spec := workspace.UCSecretSpec{CatalogName: sec.CatalogName, SchemaName: sec.SchemaName, Name: sec.Name,
				Comment: sec.Comment, ExpireTime: sec.ExpireTime, Owner: sec.Owner,
				ValueSha256: workspace.Digest(value), ValueLen: len(value)}
			_, err = w.UpdateUCSecret(sec.FullName, spec, *caller, now)
			logCLI(w, workspace.KindUCSecret, "update-uc-secret", *name, now)
			return err
		}
	}}
}
