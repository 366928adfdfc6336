/** A datacenter name: lower case letters, digits, `_ . -`, starting with a letter or digit (it names directories and appears on command lines). */
export const DC_NAME = /^[a-z0-9][a-z0-9_.-]*$/;
