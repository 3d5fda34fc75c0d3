package workspace

import (
	"sort"
	"strings"
)

// Dump is what `llmkeyvault-workspace-emulator dump` prints. It carries names,
// metadata, ACLs, digests and counters; never a secret value.
type Dump struct {
	Emulator string                          `json:"emulator"`
	Dir      string                          `json:"dir,omitempty"`
	Scopes   map[string]DumpScope            `json:"scopes"`
	Secrets  map[string]map[string]SecretRec `json:"secrets"` // scope -> key -> digest and timestamp (DATABRICKS scopes)
	ACLs     map[string]map[string]string    `json:"acls"`    // scope -> principal -> permission
	Vaults   map[string]DumpVault            `json:"vaults"`  // "<resource group>/<vault>" lower case
	// Unity Catalog: lower-case full names.
	Catalogs  map[string]UCCatalog  `json:"catalogs"`
	Schemas   map[string]DumpSchema `json:"schemas"`
	UCSecrets map[string]UCSecret   `json:"ucSecrets"` // digests, never values
	// UCGrants: securable type -> full name -> principal -> privileges.
	UCGrants              map[string]map[string]map[string][]string `json:"ucGrants"`
	ServingEndpoints      map[string]DumpEndpoint                   `json:"servingEndpoints"`
	ModelProviderServices map[string]DumpModelProviderService       `json:"modelProviderServices"`
	CreateCounters        map[string]int64                          `json:"createCounters"`
	CallCounters          map[string]int64                          `json:"callCounters"`
	Log                   []LogEntry                                `json:"log"`
	// Groups: lower-case group name -> members (groups.go).
	Groups map[string]Group `json:"groups,omitempty"`
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
	// DeletedSecretNames are soft-deleted secrets, whose names cannot be
	// reused until purged.
	DeletedSecretNames []string `json:"deletedSecretNames"`
}

// DumpSchema is a Unity Catalog schema in a Dump.
type DumpSchema struct {
	CatalogName string            `json:"catalogName"`
	Name        string            `json:"name"`
	Owner       string            `json:"owner"`
	Comment     string            `json:"comment,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
	Seeded      bool              `json:"seeded"`
	SecretNames []string          `json:"secretNames"`
}

// DumpEndpoint is a Model Serving endpoint in a Dump.
type DumpEndpoint struct {
	ID               string   `json:"id"`
	Creator          string   `json:"creator"`
	SecretReferences []string `json:"secretReferences"`
}

// DumpModelProviderService is an AI Gateway model provider service in a Dump.
type DumpModelProviderService struct {
	Name             string   `json:"name"`
	Parent           string   `json:"parent"`
	Owner            string   `json:"owner"`
	SecretReferences []string `json:"secretReferences"`
}

// Dump makes the printable view of w.
func (w *Workspace) Dump() Dump {
	d := Dump{
		Groups:         map[string]Group{},
		Emulator:       "llmkeyvault workspace emulator (a test double; no real workspace)",
		Scopes:         map[string]DumpScope{},
		Secrets:        map[string]map[string]SecretRec{},
		ACLs:           map[string]map[string]string{},
		Vaults:         map[string]DumpVault{},
		CreateCounters: map[string]int64{},
		CallCounters:   map[string]int64{},
		Log:            append([]LogEntry{}, w.Log...),
		Catalogs:       map[string]UCCatalog{},
		Schemas:        map[string]DumpSchema{},
		UCSecrets:      map[string]UCSecret{},
		UCGrants:       map[string]map[string]map[string][]string{},

		ServingEndpoints:      map[string]DumpEndpoint{},
		ModelProviderServices: map[string]DumpModelProviderService{},
	}
	w.dumpUC(&d)
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
			SecretNames: []string{}, Secrets: map[string]VaultSecret{}, DeletedSecretNames: []string{}}
		for _, vs := range v.Deleted {
			dv.DeletedSecretNames = append(dv.DeletedSecretNames, vs.Name)
		}
		sort.Strings(dv.DeletedSecretNames)
		for _, vs := range v.Secrets {
			dv.SecretNames = append(dv.SecretNames, vs.Name)
			dv.Secrets[vs.Name] = *vs
		}
		sort.Strings(dv.SecretNames)
		d.Vaults[key] = dv
	}
	for name, g := range w.Groups {
		d.Groups[name] = Group{Members: append([]string(nil), g.Members...)}
	}
	return d
}

func (w *Workspace) dumpUC(d *Dump) {
	for k, c := range w.Catalogs {
		d.Catalogs[k] = *c
	}
	for k, s := range w.Schemas {
		ds := DumpSchema{CatalogName: s.CatalogName, Name: s.Name, Owner: s.Owner, Comment: s.Comment,
			Properties: s.Properties, Seeded: s.Seeded, SecretNames: []string{}}
		for _, sec := range w.UCSecrets {
			if sec.CatalogName+"."+sec.SchemaName == k {
				ds.SecretNames = append(ds.SecretNames, sec.Name)
			}
		}
		sort.Strings(ds.SecretNames)
		d.Schemas[k] = ds
	}
	for k, s := range w.UCSecrets {
		d.UCSecrets[k] = *s
	}
	for key, m := range w.Grants {
		typ, full, _ := strings.Cut(key, "/")
		if d.UCGrants[typ] == nil {
			d.UCGrants[typ] = map[string]map[string][]string{}
		}
		byPrincipal := map[string][]string{}
		for _, a := range m {
			byPrincipal[a.Principal] = append([]string{}, a.Privileges...)
		}
		d.UCGrants[typ][full] = byPrincipal
	}
	for k, e := range w.ServingEndpoints {
		d.ServingEndpoints[k] = DumpEndpoint{ID: e.ID, Creator: e.Creator, SecretReferences: append([]string{}, e.SecretReferences...)}
	}
	for k, m := range w.ModelProviderServices {
		d.ModelProviderServices[k] = DumpModelProviderService{Name: m.Name, Parent: m.Parent, Owner: m.Owner,
			SecretReferences: append([]string{}, m.SecretReferences...)}
	}
}
