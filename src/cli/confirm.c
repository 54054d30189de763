/* docker's PromptForConfirmation, shared by the prune commands. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

bool cli_confirm(const char *warning)
{
	char line[64];
	size_t n;
	char *s = line;
	printf("%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return !strcasecmp(s, "y") || !strcasecmp(s, "yes");
}
