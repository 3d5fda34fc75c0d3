package workspace

// Unity Catalog: catalogs, schemas, UC secrets and the grants on them.
//
// Facts and where they come from (see emulator/README.md):
//   - creating a secret needs ownership of the parent schema, or CREATE_SECRET
//     and USE_SCHEMA on it and USE_CATALOG on the catalog (SecretsUcAPI.create_secret,
//     databricks-sdk-py docs);
//   - privileges are inherited from catalog to schema to secret, and grants to
//     "account users" reach everyone (Unity Catalog privileges docs);
//   - the Grants API normalises privileges: upper case, spaces to underscores
//     (terraform-provider-databricks catalog/permissions NormalizePrivilege);
//   - names are case-insensitive and kept in lower case.

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Securable types, as the Grants API and the provider's ids name them.
const (
	SecurableCatalog              = "catalog"
	SecurableSchema               = "schema"
	SecurableSecret               = "secret"
	SecurableModelProviderService = "model_provider_service"
)

// Unity Catalog error codes.
const (
	CodePermissionDenied      = "PERMISSION_DENIED"
	CodeCatalogDoesNotExist   = "CATALOG_DOES_NOT_EXIST"
	CodeSchemaDoesNotExist    = "SCHEMA_DOES_NOT_EXIST"
	CodeSchemaAlreadyExists   = "SCHEMA_ALREADY_EXISTS"
	CodeSchemaNotEmpty        = "SCHEMA_NOT_EMPTY"
	AllAccountUsers           = "account users" // the account group every principal belongs to
	MaxUCSecretValue          = 60 * 1024       // bytes, "The maximum size is 60 KiB" (SecretUc.value)
	maxUCNameLen              = 255
	privilegeAll              = "ALL_PRIVILEGES"
	privilegeManage           = "MANAGE"
	privilegeUseCatalog       = "USE_CATALOG"
	privilegeUseSchema        = "USE_SCHEMA"
	privilegeCreateSchema     = "CREATE_SCHEMA"
	privilegeCreateSecret     = "CREATE_SECRET"
	privilegeReadSecret       = "READ_SECRET"
	privilegeWriteSecret      = "WRITE_SECRET"
	privilegeReferenceSecret  = "REFERENCE_SECRET"
	privilegeExecute          = "EXECUTE"
	privilegeReadMetadata     = "READ_METADATA"
	privilegeApplyTag         = "APPLY_TAG"
	privilegeBrowse           = "BROWSE"
	privilegeCreateFunction   = "CREATE_FUNCTION"
	privilegeCreateTable      = "CREATE_TABLE"
	privilegeCreateVolume     = "CREATE_VOLUME"
	privilegeCreateModel      = "CREATE_MODEL"
	privilegeCreateConnection = "CREATE_CONNECTION"
)

// Privileges per securable type that the emulated Grants API accepts. Catalog
// and schema also take the privileges of what they contain, which are then
// inherited (Unity Catalog privileges docs; the secret privileges from the
// "Secrets in Unity Catalog" page).
var Privileges = map[string][]string{
	SecurableCatalog: {privilegeAll, privilegeApplyTag, privilegeBrowse, privilegeCreateConnection, privilegeCreateFunction,
		privilegeCreateModel, privilegeCreateSchema, privilegeCreateSecret, privilegeCreateTable, privilegeCreateVolume,
		privilegeExecute, privilegeManage, "MODIFY", privilegeReadSecret, "READ_VOLUME", privilegeReferenceSecret, "REFRESH",
		"SELECT", privilegeUseCatalog, privilegeUseSchema, privilegeWriteSecret, "WRITE_VOLUME"},
	SecurableSchema: {privilegeAll, privilegeApplyTag, privilegeBrowse, privilegeCreateFunction, privilegeCreateModel,
		privilegeCreateSecret, privilegeCreateTable, privilegeCreateVolume, privilegeExecute, privilegeManage, "MODIFY",
		privilegeReadSecret, "READ_VOLUME", privilegeReferenceSecret, "REFRESH", "SELECT", privilegeUseSchema,
		privilegeWriteSecret, "WRITE_VOLUME"},
	SecurableSecret:               {privilegeAll, privilegeManage, privilegeReadSecret, privilegeReferenceSecret, privilegeWriteSecret},
	SecurableModelProviderService: {privilegeAll, privilegeApplyTag, privilegeExecute, privilegeManage, privilegeReadMetadata},
}

// NormalizePrivilege is what the Grants API does to a privilege string.
func NormalizePrivilege(p string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(p), " ", "_"))
}

// ValidPrivilege tells whether p (normalised) applies to the securable type.
func ValidPrivilege(securable, p string) bool {
	return slices.Contains(Privileges[securable], p)
}

// ucNameRe: 1 to 255 characters, no period, space, forward slash or control
// character (Unity Catalog "Names" rules).
var ucNameRe = regexp.MustCompile(`^[^.\s/\x00-\x1f\x7f]{1,255}$`)

// ValidUCName tells whether s is a valid catalog, schema or secret name.
func ValidUCName(s string) bool { return ucNameRe.MatchString(s) && len(s) <= maxUCNameLen }

func invalidUCName(what, s string) error {
	return apiErr(CodeInvalidParam,
		"Invalid %s name %q: a name is 1 to 255 characters and cannot contain periods, spaces, forward slashes or control characters", what, s)
}

// UCCatalog is a catalog (seeded, never created by a resource).
type UCCatalog struct {
	Name      string `json:"name"`
	Owner     string `json:"owner"`
	CreatedMs int64  `json:"createdMs"`
}

// UCSchema is a schema.
type UCSchema struct {
	CatalogName string            `json:"catalogName"`
	Name        string            `json:"name"`
	FullName    string            `json:"fullName"`
	Owner       string            `json:"owner"`
	Comment     string            `json:"comment,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
	CreatedBy   string            `json:"createdBy"`
	CreatedMs   int64             `json:"createdMs"`
	// Seeded is true for schemas made by the `seed` command (they stand for
	// what a platform team created before the stack).
	Seeded bool `json:"seeded,omitempty"`
}

// UCSecret is a Unity Catalog secret (its digest, never its value).
type UCSecret struct {
	CatalogName string `json:"catalogName"`
	SchemaName  string `json:"schemaName"`
	Name        string `json:"name"`
	FullName    string `json:"fullName"`
	ValueSha256 string `json:"valueSha256"`
	Comment     string `json:"comment,omitempty"`
	ExpireTime  string `json:"expireTime,omitempty"`
	Owner       string `json:"owner"`
	CreatedBy   string `json:"createdBy"`
	UpdatedBy   string `json:"updatedBy"`
	CreateTime  int64  `json:"createTimeMs"`
	UpdateTime  int64  `json:"updateTimeMs"`
}

// Assignment is one principal's privileges on a securable.
type Assignment struct {
	Principal  string   `json:"principal"`
	Privileges []string `json:"privileges"`
}

// SecurableKey is the key of a securable in Workspace.Grants.
func SecurableKey(securable, fullName string) string {
	return securable + "/" + strings.ToLower(fullName)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func samePrincipal(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// SplitFullName splits "a.b" or "a.b.c" into n parts (lower case).
func SplitFullName(full string, n int) ([]string, error) {
	parts := strings.Split(lower(full), ".")
	if len(parts) != n {
		return nil, apiErr(CodeInvalidParam, "Invalid full name %q: expected %d dot-separated parts", full, n)
	}
	for _, p := range parts {
		if p == "" {
			return nil, apiErr(CodeInvalidParam, "Invalid full name %q: empty part", full)
		}
	}
	return parts, nil
}

// SeedSchema makes catalog.schema exist, owned by owner (the catalog too,
// when it is new). Seeding an existing schema changes nothing.
func (w *Workspace) SeedSchema(full, owner string, nowMs int64) (*UCSchema, error) {
	parts, err := SplitFullName(full, 2)
	if err != nil {
		return nil, err
	}
	for i, what := range []string{"catalog", "schema"} {
		if !ValidUCName(parts[i]) {
			return nil, invalidUCName(what, parts[i])
		}
	}
	if w.Catalogs[parts[0]] == nil {
		w.Catalogs[parts[0]] = &UCCatalog{Name: parts[0], Owner: owner, CreatedMs: nowMs}
	}
	key := parts[0] + "." + parts[1]
	if s := w.Schemas[key]; s != nil {
		return s, nil
	}
	s := &UCSchema{CatalogName: parts[0], Name: parts[1], FullName: key, Owner: owner, CreatedBy: owner, CreatedMs: nowMs, Seeded: true}
	w.Schemas[key] = s
	return s, nil
}

// Catalog returns a catalog.
func (w *Workspace) Catalog(name string) (*UCCatalog, error) {
	if c := w.Catalogs[lower(name)]; c != nil {
		return c, nil
	}
	return nil, apiErr(CodeCatalogDoesNotExist, "Catalog '%s' does not exist.", lower(name))
}

// Schema returns a schema by full name.
func (w *Workspace) Schema(full string) (*UCSchema, error) {
	if s := w.Schemas[lower(full)]; s != nil {
		return s, nil
	}
	return nil, apiErr(CodeSchemaDoesNotExist, "Schema '%s' does not exist.", lower(full))
}

// UCSecretByName returns a UC secret by full name.
func (w *Workspace) UCSecretByName(full string) (*UCSecret, error) {
	if s := w.UCSecrets[lower(full)]; s != nil {
		return s, nil
	}
	return nil, apiErr(CodeDoesNotExist, "Secret '%s' does not exist.", lower(full))
}

// ancestors returns the securables whose grants and ownership reach
// (securable, full), the object itself first.
func (w *Workspace) ancestors(securable, full string) [][2]string {
	full = lower(full)
	parts := strings.Split(full, ".")
	out := [][2]string{{securable, full}}
	switch securable {
	case SecurableSchema:
		out = append(out, [2]string{SecurableCatalog, parts[0]})
	case SecurableSecret, SecurableModelProviderService:
		if len(parts) == 3 {
			out = append(out, [2]string{SecurableSchema, parts[0] + "." + parts[1]}, [2]string{SecurableCatalog, parts[0]})
		}
	}
	return out
}

// owner returns the owner of a securable ("" if it does not exist).
func (w *Workspace) owner(securable, full string) string {
	full = lower(full)
	switch securable {
	case SecurableCatalog:
		return ownerIn(w.Catalogs, full)
	case SecurableSchema:
		return ownerIn(w.Schemas, full)
	case SecurableSecret:
		return ownerIn(w.UCSecrets, full)
	case SecurableModelProviderService:
		return ownerIn(w.ModelProviderServices, full)
	}
	return ""
}

// ownerIn returns the owner of objs[full] ("" if there is none).
func ownerIn[T any, P interface {
	*T
	ownedBy() string
}](objs map[string]P, full string) string {
	if o := objs[full]; o != nil {
		return o.ownedBy()
	}
	return ""
}

func (c *UCCatalog) ownedBy() string            { return c.Owner }
func (s *UCSchema) ownedBy() string             { return s.Owner }
func (s *UCSecret) ownedBy() string             { return s.Owner }
func (m *ModelProviderService) ownedBy() string { return m.Owner }

// SecurableExists tells whether the securable exists.
func (w *Workspace) SecurableExists(securable, full string) error {
	if w.owner(securable, full) != "" {
		return nil
	}
	switch securable {
	case SecurableCatalog:
		return apiErr(CodeCatalogDoesNotExist, "Catalog '%s' does not exist.", lower(full))
	case SecurableSchema:
		return apiErr(CodeSchemaDoesNotExist, "Schema '%s' does not exist.", lower(full))
	case SecurableSecret:
		return apiErr(CodeDoesNotExist, "Secret '%s' does not exist.", lower(full))
	case SecurableModelProviderService:
		return apiErr(CodeDoesNotExist, "Model provider service '%s' does not exist.", lower(full))
	}
	return apiErr(CodeInvalidParam, "Unsupported securable type %q", securable)
}

// IsOwner tells whether principal owns the securable or one of its parents.
func (w *Workspace) IsOwner(principal, securable, full string) bool {
	for _, a := range w.ancestors(securable, full) {
		if o := w.owner(a[0], a[1]); o != "" && samePrincipal(o, principal) {
			return true
		}
	}
	return false
}

// Has tells whether principal holds privilege p on the securable, directly or
// inherited from a parent, through ALL_PRIVILEGES, or through "account users".
func (w *Workspace) Has(principal, securable, full, p string) bool {
	for _, a := range w.ancestors(securable, full) {
		for _, as := range w.Grants[SecurableKey(a[0], a[1])] {
			if !samePrincipal(as.Principal, principal) && !samePrincipal(as.Principal, AllAccountUsers) {
				continue
			}
			for _, x := range as.Privileges {
				if x == p || x == privilegeAll {
					return true
				}
			}
		}
	}
	return false
}

func securableTitle(securable string) string {
	switch securable {
	case SecurableCatalog:
		return "Catalog"
	case SecurableSchema:
		return "Schema"
	case SecurableSecret:
		return "Secret"
	}
	return "Model provider service"
}

func denied(p, securable, full string) error {
	return apiErr(CodePermissionDenied, "User does not have %s on %s '%s'.",
		strings.ReplaceAll(p, "_", " "), securableTitle(securable), lower(full))
}

// CanManage: owner (of it or a parent) or MANAGE.
func (w *Workspace) CanManage(principal, securable, full string) bool {
	return w.IsOwner(principal, securable, full) || w.Has(principal, securable, full, privilegeManage)
}

// CanReference: what a model provider service needs on a UC secret it refers to.
func (w *Workspace) CanReference(principal, full string) bool {
	return w.CanManage(principal, SecurableSecret, full) ||
		w.Has(principal, SecurableSecret, full, privilegeReferenceSecret) ||
		w.Has(principal, SecurableSecret, full, privilegeReadSecret)
}

// CreateSchema creates catalog.name, owned by owner (or the creator).
func (w *Workspace) CreateSchema(catalogName, name, owner, comment string, props map[string]string, creator string, nowMs int64) (*UCSchema, error) {
	catalogName, name = lower(catalogName), lower(name)
	if !ValidUCName(name) {
		return nil, invalidUCName("schema", name)
	}
	if _, err := w.Catalog(catalogName); err != nil {
		return nil, err
	}
	full := catalogName + "." + name
	if !w.IsOwner(creator, SecurableCatalog, catalogName) {
		for _, p := range []string{privilegeUseCatalog, privilegeCreateSchema} {
			if !w.Has(creator, SecurableCatalog, catalogName, p) {
				return nil, denied(p, SecurableCatalog, catalogName)
			}
		}
	}
	if w.Schemas[full] != nil {
		return nil, apiErr(CodeSchemaAlreadyExists, "Schema '%s' already exists.", full)
	}
	if owner == "" {
		owner = creator
	}
	s := &UCSchema{CatalogName: catalogName, Name: name, FullName: full, Owner: owner, Comment: comment,
		Properties: props, CreatedBy: creator, CreatedMs: nowMs}
	w.Schemas[full] = s
	return s, nil
}

// UpdateSchema changes a schema's comment, properties and owner.
func (w *Workspace) UpdateSchema(full, owner, comment string, props map[string]string, caller string) (*UCSchema, error) {
	s, err := w.Schema(full)
	if err != nil {
		return nil, err
	}
	if !w.CanManage(caller, SecurableSchema, full) {
		return nil, denied(privilegeManage, SecurableSchema, full)
	}
	s.Comment, s.Properties = comment, props
	if owner != "" {
		s.Owner = owner
	}
	return s, nil
}

// DeleteSchema deletes a schema. A schema that holds secrets (or model
// provider services) is refused unless force, as DELETE /schemas does
// without force=true; with force its contents and their grants go too.
func (w *Workspace) DeleteSchema(full string, force bool, caller string) error {
	s, err := w.Schema(full)
	if err != nil {
		return err
	}
	if !w.CanManage(caller, SecurableSchema, full) {
		return denied(privilegeManage, SecurableSchema, full)
	}
	inside := keysUnder(w.UCSecrets, s.FullName)
	services := keysUnder(w.ModelProviderServices, s.FullName)
	if (len(inside) > 0 || len(services) > 0) && !force {
		return apiErr(CodeSchemaNotEmpty,
			"Cannot delete schema '%s' because it is not empty: it contains %d secret(s) %v and %d model provider service(s) %v. Delete them first or delete with force.",
			s.FullName, len(inside), inside, len(services), services)
	}
	for _, k := range inside {
		delete(w.UCSecrets, k)
		delete(w.Grants, SecurableKey(SecurableSecret, k))
	}
	for _, k := range services {
		delete(w.ModelProviderServices, k)
		delete(w.Grants, SecurableKey(SecurableModelProviderService, k))
	}
	delete(w.Schemas, s.FullName)
	delete(w.Grants, SecurableKey(SecurableSchema, s.FullName))
	return nil
}

// keysUnder lists, sorted, the keys of objs inside the object named parent.
func keysUnder[T any](objs map[string]T, parent string) []string {
	var out []string
	for k := range objs {
		if strings.HasPrefix(k, parent+".") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// UCSecretSpec is what CreateUCSecret and UpdateUCSecret write.
type UCSecretSpec struct {
	CatalogName, SchemaName, Name string
	ValueSha256                   string
	ValueLen                      int
	Comment, ExpireTime, Owner    string
}

func checkUCSecretFields(spec UCSecretSpec) error {
	if spec.ValueLen == 0 {
		return apiErr(CodeInvalidParam, "Secret value must not be empty")
	}
	if spec.ValueLen > MaxUCSecretValue {
		return apiErr(CodeInvalidParam, "Secret value is %d bytes; the maximum size is 60 KiB (%d bytes)", spec.ValueLen, MaxUCSecretValue)
	}
	if spec.ExpireTime != "" {
		if _, err := time.Parse(time.RFC3339Nano, spec.ExpireTime); err != nil {
			return apiErr(CodeInvalidParam, "Invalid expire_time %q: expected an RFC 3339 timestamp", spec.ExpireTime)
		}
	}
	return nil
}

// needOnSchema checks that caller may create in schema schemaFull: its owner
// (or its catalog's) may; anyone else needs USE_CATALOG on the catalog, and
// USE_SCHEMA and the extra privileges on the schema.
func (w *Workspace) needOnSchema(caller, schemaFull string, extra ...string) error {
	if w.IsOwner(caller, SecurableSchema, schemaFull) {
		return nil
	}
	cat, _, _ := strings.Cut(schemaFull, ".")
	if !w.Has(caller, SecurableCatalog, cat, privilegeUseCatalog) {
		return denied(privilegeUseCatalog, SecurableCatalog, cat)
	}
	for _, p := range append([]string{privilegeUseSchema}, extra...) {
		if !w.Has(caller, SecurableSchema, schemaFull, p) {
			return denied(p, SecurableSchema, schemaFull)
		}
	}
	return nil
}

// CreateUCSecret creates catalog.schema.name, as SecretsUcAPI.create_secret.
func (w *Workspace) CreateUCSecret(spec UCSecretSpec, creator string, nowMs int64) (*UCSecret, error) {
	cat, sch, name := lower(spec.CatalogName), lower(spec.SchemaName), lower(spec.Name)
	if !ValidUCName(name) {
		return nil, invalidUCName("secret", spec.Name)
	}
	if _, err := w.Catalog(cat); err != nil {
		return nil, err
	}
	schemaFull := cat + "." + sch
	if _, err := w.Schema(schemaFull); err != nil {
		return nil, err
	}
	if err := w.needOnSchema(creator, schemaFull, privilegeCreateSecret); err != nil {
		return nil, err
	}
	if err := checkUCSecretFields(spec); err != nil {
		return nil, err
	}
	full := schemaFull + "." + name
	if w.UCSecrets[full] != nil {
		return nil, apiErr(CodeAlreadyExists, "Secret '%s' already exists.", full)
	}
	owner := spec.Owner
	if owner == "" {
		owner = creator
	}
	s := &UCSecret{CatalogName: cat, SchemaName: sch, Name: name, FullName: full, ValueSha256: spec.ValueSha256,
		Comment: spec.Comment, ExpireTime: spec.ExpireTime, Owner: owner, CreatedBy: creator, UpdatedBy: creator,
		CreateTime: nowMs, UpdateTime: nowMs}
	w.UCSecrets[full] = s
	return s, nil
}

// UpdateUCSecret updates comment, expire_time, owner and value in place
// (the provider's update mask "comment,expire_time,owner,value"). Only the
// secret's owner may (the Update API: "You must be the owner of the secret
// or a metastore admin"; the UC secrets page says WRITE SECRET updates the
// value, which the API text contradicts: the emulator follows the API).
func (w *Workspace) UpdateUCSecret(full string, spec UCSecretSpec, caller string, nowMs int64) (*UCSecret, error) {
	s, err := w.UCSecretByName(full)
	if err != nil {
		return nil, err
	}
	if !samePrincipal(s.Owner, caller) {
		return nil, apiErr(CodePermissionDenied, "User is not the owner of Secret '%s'. Only the owner of a secret (or a metastore admin) can update it.", s.FullName)
	}
	if err := checkUCSecretFields(spec); err != nil {
		return nil, err
	}
	s.ValueSha256, s.Comment, s.ExpireTime = spec.ValueSha256, spec.Comment, spec.ExpireTime
	if spec.Owner != "" {
		s.Owner = spec.Owner
	}
	s.UpdatedBy, s.UpdateTime = caller, nowMs
	return s, nil
}

// deleteManaged deletes securable full from objs, and the grants on it, if
// caller may manage it (owner or MANAGE).
func deleteManaged[T any](w *Workspace, objs map[string]T, securable, full, caller string) error {
	if !w.CanManage(caller, securable, full) {
		return denied(privilegeManage, securable, full)
	}
	delete(objs, full)
	delete(w.Grants, SecurableKey(securable, full))
	return nil
}

// DeleteUCSecret deletes a secret and the grants on it (owner or MANAGE).
func (w *Workspace) DeleteUCSecret(full, caller string) error {
	s, err := w.UCSecretByName(full)
	if err != nil {
		return err
	}
	return deleteManaged(w, w.UCSecrets, SecurableSecret, s.FullName, caller)
}

// normalizeAssignments checks and normalises privileges; principals are
// merged case-insensitively.
func normalizeAssignments(securable string, in []Assignment) ([]Assignment, error) {
	byPrincipal := map[string]*Assignment{}
	var order []string
	for _, a := range in {
		if strings.TrimSpace(a.Principal) == "" {
			return nil, apiErr(CodeInvalidParam, "principal must not be empty")
		}
		k := lower(a.Principal)
		cur := byPrincipal[k]
		if cur == nil {
			cur = &Assignment{Principal: strings.TrimSpace(a.Principal)}
			byPrincipal[k] = cur
			order = append(order, k)
		}
		for _, p := range a.Privileges {
			n := NormalizePrivilege(p)
			if !ValidPrivilege(securable, n) {
				return nil, apiErr(CodeInvalidParam, "Privilege %s is not applicable to this entity [%s]. Applicable privileges: %s",
					n, securable, strings.Join(Privileges[securable], ", "))
			}
			if !slices.Contains(cur.Privileges, n) {
				cur.Privileges = append(cur.Privileges, n)
			}
		}
	}
	out := make([]Assignment, 0, len(order))
	for _, k := range order {
		a := byPrincipal[k]
		sort.Strings(a.Privileges)
		out = append(out, *a)
	}
	return out, nil
}

func (w *Workspace) checkGrantable(securable, full, caller string) error {
	if _, ok := Privileges[securable]; !ok {
		return apiErr(CodeInvalidParam, "Unsupported securable type %q", securable)
	}
	if err := w.SecurableExists(securable, full); err != nil {
		return err
	}
	if !w.CanManage(caller, securable, full) {
		return denied(privilegeManage, securable, full)
	}
	return nil
}

// SetAllGrants replaces every grant on the securable (the Grants resource:
// authoritative).
func (w *Workspace) SetAllGrants(securable, full string, in []Assignment, caller string) ([]Assignment, error) {
	if err := w.checkGrantable(securable, full, caller); err != nil {
		return nil, err
	}
	list, err := normalizeAssignments(securable, in)
	if err != nil {
		return nil, err
	}
	m := map[string]*Assignment{}
	for i := range list {
		if len(list[i].Privileges) > 0 {
			a := list[i]
			m[lower(a.Principal)] = &a
		}
	}
	key := SecurableKey(securable, full)
	if len(m) == 0 {
		delete(w.Grants, key)
	} else {
		w.Grants[key] = m
	}
	return w.GrantsOn(securable, full), nil
}

// SetPrincipalGrant replaces one principal's privileges (the Grant resource:
// non-authoritative); no privileges removes the principal's grant.
func (w *Workspace) SetPrincipalGrant(securable, full, principal string, privileges []string, caller string) (*Assignment, error) {
	if err := w.checkGrantable(securable, full, caller); err != nil {
		return nil, err
	}
	list, err := normalizeAssignments(securable, []Assignment{{Principal: principal, Privileges: privileges}})
	if err != nil {
		return nil, err
	}
	key := SecurableKey(securable, full)
	m := w.Grants[key]
	if m == nil {
		m = map[string]*Assignment{}
		w.Grants[key] = m
	}
	a := list[0]
	if len(a.Privileges) == 0 {
		delete(m, lower(principal))
	} else {
		if old := m[lower(principal)]; old != nil {
			a.Principal = old.Principal // UC keeps the principal's own spelling
		}
		m[lower(principal)] = &a
	}
	if len(m) == 0 {
		delete(w.Grants, key)
	}
	return &a, nil
}

// GrantsOn lists the grants on a securable, sorted by principal.
func (w *Workspace) GrantsOn(securable, full string) []Assignment {
	var out []Assignment
	for _, a := range w.Grants[SecurableKey(securable, full)] {
		out = append(out, Assignment{Principal: a.Principal, Privileges: append([]string(nil), a.Privileges...)})
	}
	sort.Slice(out, func(i, j int) bool { return lower(out[i].Principal) < lower(out[j].Principal) })
	return out
}

// PrincipalGrant returns one principal's grant on a securable.
func (w *Workspace) PrincipalGrant(securable, full, principal string) (*Assignment, error) {
	if a := w.Grants[SecurableKey(securable, full)][lower(principal)]; a != nil {
		c := Assignment{Principal: a.Principal, Privileges: append([]string(nil), a.Privileges...)}
		return &c, nil
	}
	return nil, apiErr(CodeDoesNotExist, "got empty permissions list for %s on %s %s", principal, securable, lower(full))
}
