package config

// ValidName reports whether s is a valid block label or stack name, by the
// rule every configuration obeys, for front ends that name objects
// without a configuration file (the Terraform provider).
func ValidName(s string) bool { return namePattern.MatchString(s) }

// NameRule says the naming rule, for diagnostics.
const NameRule = nameRule
