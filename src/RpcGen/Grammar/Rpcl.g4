/*
 * RPCL, the RPC Language of .x files: RFC 4506 section 6 (XDR) and RFC 5531 section 12 (programs),
 * with rpcgen's dialect. This file is the single source of the syntax; Generated/ is produced from it
 * by generate.sh and must never be edited by hand.
 *
 * Deliberately wider than the RFC where a precise error is better than a syntax error: opaque and string
 * are ordinary type specifiers here, void may appear in any declaration or argument list, and char
 * constants may appear as values; the checker then reports the rule that was broken (RPCG2xxx).
 * Preprocessing (directives, % lines) happens before this grammar sees the text.
 */
grammar Rpcl;

specification
    : definition* EOF
    ;

definition
    : constantDefinition
    | typedefDefinition
    | enumDefinition
    | structDefinition
    | unionDefinition
    | programDefinition
    ;

constantDefinition
    : CONST IDENTIFIER '=' (value | STRING_LITERAL) ';'
    ;

typedefDefinition
    : TYPEDEF declaration ';'
    ;

enumDefinition
    : ENUM IDENTIFIER enumBody ';'
    ;

structDefinition
    : STRUCT IDENTIFIER structBody ';'
    ;

unionDefinition
    : UNION IDENTIFIER unionBody ';'
    ;

// RFC 5531 section 12.2.
programDefinition
    : PROGRAM IDENTIFIER '{' versionDefinition+ '}' '=' value ';'
    ;

versionDefinition
    : VERSION IDENTIFIER '{' procedureDefinition+ '}' '=' value ';'
    ;

// rpcgen: arguments may be named and there may be several (-N style); "F()" means void.
procedureDefinition
    : typeSpecifier IDENTIFIER '(' (argument (',' argument)*)? ')' '=' value ';'
    ;

argument
    : typeSpecifier STAR? IDENTIFIER? arraySuffix?
    ;

declaration
    : typeSpecifier STAR IDENTIFIER                 # optionalDeclaration
    | typeSpecifier IDENTIFIER arraySuffix?         # plainDeclaration
    | VOID                                          # voidDeclaration
    ;

arraySuffix
    : '[' value ']'                                 # fixedArraySuffix
    | '<' value? '>'                                # variableArraySuffix
    ;

typeSpecifier
    : UNSIGNED? INT                                 # intType
    | UNSIGNED? HYPER                               # hyperType
    | UNSIGNED? (CHAR | SHORT | LONG) INT?          # cIntegerType
    | UNSIGNED                                      # unsignedType
    | FLOAT                                         # floatType
    | DOUBLE                                        # doubleType
    | QUADRUPLE                                     # quadrupleType
    | BOOL                                          # boolType
    | OPAQUE                                        # opaqueType
    | STRING                                        # stringType
    | VOID                                          # voidType
    | ENUM enumBody                                 # inlineEnumType
    | STRUCT structBody                             # inlineStructType
    | UNION unionBody                               # inlineUnionType
    | (ENUM | STRUCT | UNION) IDENTIFIER            # taggedType
    | IDENTIFIER                                    # namedType
    ;

// rpcgen numbers members without a value the C way.
enumBody
    : '{' enumMember (',' enumMember)* '}'
    ;

enumMember
    : IDENTIFIER ('=' value)?
    ;

structBody
    : '{' (declaration ';')+ '}'
    ;

unionBody
    : SWITCH '(' declaration ')' '{' caseArm+ defaultArm? '}'
    ;

caseArm
    : (CASE value ':')+ declaration ';'
    ;

defaultArm
    : DEFAULT ':' declaration ';'
    ;

value
    : MINUS? NUMBER                                 # numberValue
    | IDENTIFIER                                    # nameValue
    | CHAR_LITERAL                                  # charValue
    ;

// ---------------------------------------------------------------- lexer

CONST     : 'const';
TYPEDEF   : 'typedef';
ENUM      : 'enum';
STRUCT    : 'struct';
UNION     : 'union';
SWITCH    : 'switch';
CASE      : 'case';
DEFAULT   : 'default';
PROGRAM   : 'program';
VERSION   : 'version';
VOID      : 'void';
UNSIGNED  : 'unsigned';
INT       : 'int';
HYPER     : 'hyper';
FLOAT     : 'float';
DOUBLE    : 'double';
QUADRUPLE : 'quadruple';
BOOL      : 'bool';
OPAQUE    : 'opaque';
STRING    : 'string';
CHAR      : 'char';
SHORT     : 'short';
LONG      : 'long';

LBRACE    : '{';
RBRACE    : '}';
LPAREN    : '(';
RPAREN    : ')';
LBRACKET  : '[';
RBRACKET  : ']';
LT        : '<';
GT        : '>';
SEMI      : ';';
COLON     : ':';
COMMA     : ',';
EQUALS    : '=';
STAR      : '*';
MINUS     : '-';

// Decimal, octal (leading 0) or hexadecimal; the value and the digits are checked after lexing.
NUMBER
    : [0-9] [0-9a-zA-Z_]*
    ;

IDENTIFIER
    : [a-zA-Z_] [a-zA-Z_0-9]*
    ;

STRING_LITERAL
    : '"' ~["\r\n]* '"'
    ;

CHAR_LITERAL
    : '\'' ( '\\' ~[\r\n] | ~['\\\r\n] )+ '\''
    ;

BLOCK_COMMENT
    : '/*' .*? '*/' -> channel(HIDDEN)
    ;

// cpp strips // comments before rpcgen sees the text, so they are comments here too.
LINE_COMMENT
    : '//' ~[\r\n]* -> channel(HIDDEN)
    ;

WHITESPACE
    : [ \t\r\n\f\u000B]+ -> skip
    ;

// cpp splices a line ending in a backslash onto the next; between tokens that is white space.
LINE_CONTINUATION
    : '\\' [ \t]* '\r'? '\n' -> skip
    ;

// Recognised so that they can be reported precisely; they never reach the parser.
UNTERMINATED_COMMENT
    : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF
    ;

UNTERMINATED_STRING
    : '"' ~["\r\n]*
    ;

UNTERMINATED_CHAR
    : '\'' ( '\\' ~[\r\n] | ~['\\\r\n] )*
    ;

ILLEGAL_CHARACTER
    : .
    ;
