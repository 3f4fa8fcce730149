/**
 * Google's common types (`google/type/*.proto`), which Confluent Schema Registry lets a Protobuf
 * schema import without a reference. Messages, enums and field numbers as Google publishes them
 * (package `google.type`); comments and language options left out.
 */

const file = (body: string, imports: string[] = []): string =>
  `syntax = "proto3";\npackage google.type;\n${imports.map((i) => `import "${i}";\n`).join('')}${body}`;

const enumOf = (name: string, values: string[]): string =>
  `enum ${name} {\n${values.map((v, i) => `  ${v} = ${i};\n`).join('')}}\n`;

/** Import path → .proto text. */
export const GOOGLE_TYPES: Readonly<Record<string, string>> = {
  'google/type/calendar_period.proto': file(
    enumOf('CalendarPeriod', [
      'CALENDAR_PERIOD_UNSPECIFIED',
      'DAY',
      'WEEK',
      'FORTNIGHT',
      'MONTH',
      'QUARTER',
      'HALF',
      'YEAR',
    ]),
  ),
  'google/type/color.proto': file(
    'message Color {\n  float red = 1;\n  float green = 2;\n  float blue = 3;\n  google.protobuf.FloatValue alpha = 4;\n}\n',
    ['google/protobuf/wrappers.proto'],
  ),
  'google/type/date.proto': file('message Date {\n  int32 year = 1;\n  int32 month = 2;\n  int32 day = 3;\n}\n'),
  'google/type/datetime.proto': file(
    `message DateTime {
  int32 year = 1;
  int32 month = 2;
  int32 day = 3;
  int32 hours = 4;
  int32 minutes = 5;
  int32 seconds = 6;
  int32 nanos = 7;
  oneof time_offset {
    google.protobuf.Duration utc_offset = 8;
    TimeZone time_zone = 9;
  }
}
message TimeZone {
  string id = 1;
  string version = 2;
}
`,
    ['google/protobuf/duration.proto'],
  ),
  'google/type/dayofweek.proto': file(
    enumOf('DayOfWeek', [
      'DAY_OF_WEEK_UNSPECIFIED',
      'MONDAY',
      'TUESDAY',
      'WEDNESDAY',
      'THURSDAY',
      'FRIDAY',
      'SATURDAY',
      'SUNDAY',
    ]),
  ),
  'google/type/decimal.proto': file('message Decimal {\n  string value = 1;\n}\n'),
  'google/type/expr.proto': file(
    'message Expr {\n  string expression = 1;\n  string title = 2;\n  string description = 3;\n  string location = 4;\n}\n',
  ),
  'google/type/fraction.proto': file('message Fraction {\n  int64 numerator = 1;\n  int64 denominator = 2;\n}\n'),
  'google/type/interval.proto': file(
    'message Interval {\n  google.protobuf.Timestamp start_time = 1;\n  google.protobuf.Timestamp end_time = 2;\n}\n',
    ['google/protobuf/timestamp.proto'],
  ),
  'google/type/latlng.proto': file('message LatLng {\n  double latitude = 1;\n  double longitude = 2;\n}\n'),
  'google/type/money.proto': file(
    'message Money {\n  string currency_code = 1;\n  int64 units = 2;\n  int32 nanos = 3;\n}\n',
  ),
  'google/type/month.proto': file(
    enumOf('Month', [
      'MONTH_UNSPECIFIED',
      'JANUARY',
      'FEBRUARY',
      'MARCH',
      'APRIL',
      'MAY',
      'JUNE',
      'JULY',
      'AUGUST',
      'SEPTEMBER',
      'OCTOBER',
      'NOVEMBER',
      'DECEMBER',
    ]),
  ),
  'google/type/phone_number.proto': file(
    `message PhoneNumber {
  message ShortCode {
    string region_code = 1;
    string number = 2;
  }
  oneof kind {
    string e164_number = 1;
    ShortCode short_code = 2;
  }
  string extension = 3;
}
`,
  ),
  'google/type/postal_address.proto': file(
    `message PostalAddress {
  int32 revision = 1;
  string region_code = 2;
  string language_code = 3;
  string postal_code = 4;
  string sorting_code = 5;
  string administrative_area = 6;
  string locality = 7;
  string sublocality = 8;
  repeated string address_lines = 9;
  repeated string recipients = 10;
  string organization = 11;
}
`,
  ),
  'google/type/quaternion.proto': file(
    'message Quaternion {\n  double x = 1;\n  double y = 2;\n  double z = 3;\n  double w = 4;\n}\n',
  ),
  'google/type/timeofday.proto': file(
    'message TimeOfDay {\n  int32 hours = 1;\n  int32 minutes = 2;\n  int32 seconds = 3;\n  int32 nanos = 4;\n}\n',
  ),
};
