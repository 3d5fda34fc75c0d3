package workspace

import "sort"

// Dump is what `llmkeyvault-workspace-emulator dump` prints. It carries names,
// metadata, ACLs, digests and counters; never a secret value.
type Dump struct {
	Emulator       string                          `json:"emulator"`
	Dir            string                          `json:"dir,omitempty"`
	Scopes         map[string]DumpScope            `json:"scopes"`
	Secrets        map[string]map[string]SecretRec `json:"secrets"` // scope -> key -> digest and timestamp (DATABRICKS scopes)
	ACLs           map[string]map[string]string    `json:"acls"`    // scope -> principal -> permission
	Vaults         map[string]DumpVault            `json:"vaults"`  // "<resource group>/<vault>" lower case
	CreateCounters map[string]int64                `json:"createCounters"`
	CallCounters   map[string]int64                `json:"callCounters"`
	Log            []LogEntry                      `json:"log"`
}

// DumpScope is a scope in a Dump.
type DumpScope struct {
	Name                   string            `json:"name"`
	BackendType            string            `json:"backendType"`
	KeyvaultMetadata       *KeyvaultMetadata `json:"keyvaultMetadata,omitempty"`
	InitialManagePrincipal string            `json:"initialManagePrincipal,omitempty"`
	Creator                string            `json:"creator,omitempty"`
	Vault                  string            `json:"vault,omitempty"`
	// SecretKeys is what listing the scope shows: for a Key Vault-backed
	// scope, every secret of its vault.
	SecretKeys []string          `json:"secretKeys"`
	ACLs       map[string]string `json:"acls"`
}

// DumpVault is a vault in a Dump.
type DumpVault struct {
	SubscriptionID string                 `json:"subscriptionId,omitempty"`
	ResourceGroup  string                 `json:"resourceGroup"`
	Name           string                 `json:"name"`
	SecretNames    []string               `json:"secretNames"`
	Secrets        map[string]VaultSecret `json:"secrets"`
}

// Dump makes the printable view of w.
func (w *Workspace) Dump() Dump {
	d := Dump{
		Emulator:       "llmkeyvault workspace emulator (a test double; no real workspace)",
		Scopes:         map[string]DumpScope{},
		Secrets:        map[string]map[string]SecretRec{},
		ACLs:           map[string]map[string]string{},
		Vaults:         map[string]DumpVault{},
		CreateCounters: map[string]int64{},
		CallCounters:   map[string]int64{},
		Log:            append([]LogEntry{}, w.Log...),
	}
	for _, k := range Kinds {
		d.CreateCounters[k] = w.CreateCounters[k]
	}
	for k, v := range w.CallCounters {
		d.CallCounters[k] = v
	}
	for name, s := range w.Scopes {
		keys, _ := w.SecretKeys(name)
		if keys == nil {
			keys = []string{}
		}
		acls := map[string]string{}
		for p, perm := range s.ACLs {
			acls[p] = perm
		}
		d.Scopes[name] = DumpScope{
			Name: s.Name, BackendType: s.BackendType, KeyvaultMetadata: s.KeyvaultMetadata,
			InitialManagePrincipal: s.InitialManagePrincipal, Creator: s.Creator, Vault: s.Vault,
			SecretKeys: keys, ACLs: acls,
		}
		d.ACLs[name] = acls
		secs := map[string]SecretRec{}
		for k, rec := range s.Secrets {
			secs[k] = *rec
		}
		d.Secrets[name] = secs
	}
	for key, v := range w.Vaults {
		dv := DumpVault{SubscriptionID: v.SubscriptionID, ResourceGroup: v.ResourceGroup, Name: v.Name,
			SecretNames: []string{}, Secrets: map[string]VaultSecret{}}
		for _, vs := range v.Secrets {
			dv.SecretNames = append(dv.SecretNames, vs.Name)
			dv.Secrets[vs.Name] = *vs
		}
		sort.Strings(dv.SecretNames)
		d.Vaults[key] = dv
	}
	return d
}
