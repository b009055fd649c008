# examples: programs a user would copy from
