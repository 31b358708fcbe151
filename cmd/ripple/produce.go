package main

import "github.com/spf13/cobra"

func produceCmd() *cobra.Command { return &cobra.Command{Use: "produce", Hidden: true} }
func consumeCmd() *cobra.Command { return &cobra.Command{Use: "consume", Hidden: true} }
