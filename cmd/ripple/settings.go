package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// settingsHelp says where flag values come from; every command's help
// ends with it.
const settingsHelp = `Every flag can also be set by an environment variable, RIPPLE_ and the
flag's name in capitals with - as _ (RIPPLE_BROKERS for --brokers,
RIPPLE_KAFKA_VERSION for --kafka-version), or in a YAML file named by
--config (or RIPPLE_CONFIG) whose keys are flag names (brokers: 127.0.0.1:19092).
A flag on the command line wins over the environment, which wins over the
file, which wins over the default.`

// envName returns the environment variable that sets flag name.
func envName(name string) string {
	return "RIPPLE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// applySettings sets every flag of cmd not given on the command line from
// its environment variable or else from the --config file.
func applySettings(cmd *cobra.Command) error {
	file, err := configFile(cmd)
	if err != nil {
		return err
	}
	var errs []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" || f.Name == "version" || f.Name == "config" {
			return
		}
		from, v, ok := envName(f.Name), "", false
		if v, ok = os.LookupEnv(from); !ok {
			from = "--config " + file.path + ": " + f.Name
			v, ok = file.values[f.Name]
		}
		if !ok {
			return
		}
		if err := cmd.Flags().Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: %v", from, v, err))
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("bad flag values:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

type settingsFile struct {
	path   string
	values map[string]string
}

// configFile reads the --config file (or RIPPLE_CONFIG), checking that
// every key is a flag of some ripple command.
func configFile(cmd *cobra.Command) (settingsFile, error) {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = os.Getenv(envName("config"))
	}
	if path == "" {
		return settingsFile{}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return settingsFile{}, fmt.Errorf("--config: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return settingsFile{}, fmt.Errorf("--config %s: %w; want a YAML mapping of flag names to values", path, err)
	}
	known := flagNames(cmd.Root())
	f := settingsFile{path: path, values: map[string]string{}}
	for k, v := range raw {
		if !known[k] {
			return settingsFile{}, fmt.Errorf("--config %s: %q is no flag of any ripple command; keys are flag names without --, such as brokers", path, k)
		}
		switch v := v.(type) {
		case map[string]any:
			return settingsFile{}, fmt.Errorf("--config %s: %s: want a value or a list, not a mapping", path, k)
		case []any:
			parts := make([]string, len(v))
			for i, p := range v {
				parts[i] = fmt.Sprint(p)
			}
			f.values[k] = strings.Join(parts, ",")
		case nil:
		default:
			f.values[k] = fmt.Sprint(v)
		}
	}
	return f, nil
}

// flagNames returns the names of the flags of cmd and its subcommands.
func flagNames(cmd *cobra.Command) map[string]bool {
	names := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(cmd)
	return names
}
