"""The offline preview: the real Pulumi program under mocks that answer as AWS would (`engine`,
`mock_aws`), and the comparison of a base with a head preview for a pull request (`compare`)."""
