package provider

// Data sources (Invoke): the two pulumi-databricks 1.118.0 functions the
// component reads while planning.
//
//	databricks:index/getCurrentUser:getCurrentUser  the caller (get_current_user.py)
//	databricks:index/getSecretUc:getSecretUc        a UC secret's metadata (get_secret_uc.py)
//
// getCurrentUser answers what SCIM Me answers for the deploying identity: a
// service principal's userName is its application id, and its aclPrincipalId
// is servicePrincipals/<application id> (users/<user name> for a user)
// (terraform-provider-databricks scim/data_current_user.go). getSecretUc sends
// no include_value (internal/providers/pluginfw/products/secret_uc/
// data_secret_uc.go), so no value comes back; a missing secret is the API's
// RESOURCE_DOES_NOT_EXIST.

import (
	"context"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"llmkeyvault/emulator/internal/workspace"
)

// Function tokens served by the databricks package.
const (
	TokenGetCurrentUser = "databricks:index/getCurrentUser:getCurrentUser"
	TokenGetSecretUc    = "databricks:index/getSecretUc:getSecretUc"
)

// servicePrincipal tells whether the caller authenticates as a service
// principal (an application id from clientId or azureClientId).
func (s *Server) servicePrincipal() bool {
	for _, k := range identityKeys {
		if strings.TrimSpace(s.configValue(k)) != "" {
			return k != "username"
		}
	}
	return false
}

// Invoke serves the data sources above; any other function is refused.
func (s *Server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	args, err := unmarshal("invoke.args", req.GetArgs())
	if err != nil {
		return nil, err
	}
	var out resource.PropertyMap
	switch {
	case s.pkg == Databricks && req.GetTok() == TokenGetCurrentUser:
		out = s.currentUser()
	case s.pkg == Databricks && req.GetTok() == TokenGetSecretUc:
		full, _ := get(args, "fullName").str()
		if full == "" {
			return &pulumirpc.InvokeResponse{Failures: []*pulumirpc.CheckFailure{{Property: "fullName", Reason: "Missing required argument fullName"}}}, nil
		}
		sec, err := readValue(s, ctx, workspace.KindUCSecret, func(w *workspace.Workspace) (*workspace.UCSecret, error) {
			return w.UCSecretByName(full)
		})
		if err != nil {
			return nil, fmt.Errorf("failed to get secret_uc: %w", err)
		}
		out = ucSecretOutputs(sec, resource.PropertyMap{})
	default:
		return nil, fmt.Errorf("llmkeyvault workspace emulator (a test double) does not emulate function %s", req.GetTok())
	}
	st, err := s.marshal("invoke.return", out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: st}, nil
}

func (s *Server) currentUser() resource.PropertyMap {
	name := s.identity()
	acl := "users/" + name
	if s.servicePrincipal() {
		acl = "servicePrincipals/" + name
	}
	alnum := strings.Map(func(r rune) rune {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, strings.ToLower(strings.Split(name, "@")[0]))
	out := resource.PropertyMap{}
	setStrings(out, map[string]string{
		"id": "emulated-" + alnum, "userName": name, "aclPrincipalId": acl, "alphanumeric": alnum,
		"home": "/Users/" + name, "repos": "/Repos/" + name, "externalId": "",
		"workspaceUrl": "https://emulated.cloud.databricks.invalid",
	})
	return out
}
