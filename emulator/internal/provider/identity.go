package provider

// The deploying identity. The real provider authenticates with what its
// configuration gives it, and the workspace sees that principal as the
// caller: it owns what it creates (UC objects, scopes made without
// initialManagePrincipal get it as MANAGE) and its rights are the ones
// checked. The emulator takes the same configuration keys, first set wins:
//
//	databricks:clientId       OAuth M2M service principal: its application id
//	databricks:azureClientId  Azure service principal: its application (client) id
//	databricks:username       basic authentication: the user name
//
// and DefaultIdentity when none is set (for example with only a token: the
// emulator cannot tell whose token it is).

import "strings"

// DefaultIdentity is the caller when the configuration names none.
const DefaultIdentity = "deployer@emulator.invalid"

// identityKeys are the configuration keys that name the caller, in order.
var identityKeys = []string{"clientId", "azureClientId", "username"}

// identity is the principal this provider instance acts as.
func (s *Server) identity() string {
	for _, k := range identityKeys {
		if v := strings.TrimSpace(s.configValue(k)); v != "" {
			return v
		}
	}
	return DefaultIdentity
}
