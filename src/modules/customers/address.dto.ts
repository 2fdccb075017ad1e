import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** A postal address (stored as JSON; merge-patched key by key). */
@ObjectType('Address')
export class AddressDto {
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'Street and number.', nullable: true })
  street?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'City.', nullable: true })
  city?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'State, province or region.', nullable: true })
  region?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'Postal code.', nullable: true })
  postalCode?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 country code.', nullable: true, example: 'DE' })
  country?: string;
}

@InputType('AddressInput')
export class AddressInput {
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'Street and number.', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  street?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'City.', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  city?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'State, province or region.', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'Postal code.', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  postalCode?: string;
  @Field({ nullable: true })
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 country code.', nullable: true, example: 'DE' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as DE' })
  country?: string;
}
