package workspace

// Azure Key Vault soft delete. Soft delete is on for every vault (mandatory
// since 2020; "Azure Key Vault soft-delete overview", Microsoft Learn): a
// deleted secret stays "deleted but recoverable" for the retention period
// and its name cannot be reused until it is purged or recovered. Azure
// answers a write to such a name with HTTP 409, code Conflict (inner code
// ObjectIsDeletedButRecoverable) and the message below.

import "strings"

func deletedButRecoverable(name string) error {
	return apiErr(CodeConflict,
		"Secret %s is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.", name)
}

// deletedVaultSecret finds a soft-deleted secret: its vault and lower-case name.
func (w *Workspace) deletedVaultSecret(ref VaultRef, name string) (*Vault, string, error) {
	v := w.vault(ref, false)
	k := strings.ToLower(name)
	if v == nil || v.Deleted[k] == nil {
		return nil, "", apiErr(CodeDoesNotExist, "Deleted secret %s not found in vault %s", name, ref.Name)
	}
	return v, k, nil
}

// PurgeVaultSecret removes a soft-deleted secret for good, so its name can be
// reused (what `az keyvault secret purge` does).
func (w *Workspace) PurgeVaultSecret(ref VaultRef, name string) error {
	v, k, err := w.deletedVaultSecret(ref, name)
	if err != nil {
		return err
	}
	delete(v.Deleted, k)
	return nil
}

// RecoverVaultSecret brings a soft-deleted secret back (`az keyvault secret recover`).
func (w *Workspace) RecoverVaultSecret(ref VaultRef, name string) error {
	v, k, err := w.deletedVaultSecret(ref, name)
	if err != nil {
		return err
	}
	vs := v.Deleted[k]
	vs.DeletedDate = 0
	v.Secrets[k] = vs
	delete(v.Deleted, k)
	return nil
}

// ParseVaultKey parses "<resource group>/<vault>".
func ParseVaultKey(s string) (VaultRef, error) {
	rg, name, ok := strings.Cut(s, "/")
	if !ok || rg == "" || name == "" || strings.Contains(name, "/") {
		return VaultRef{}, apiErr(CodeInvalidParam, "Invalid vault %q: expected <resource group>/<vault name>", s)
	}
	return VaultRef{ResourceGroup: rg, Name: name}, nil
}
