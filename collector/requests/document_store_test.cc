#include "collector/requests/document_store.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

class DocumentStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path().string() + "/store"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    documents_ = std::make_unique<DocumentStore>(*store_, clock_);
  }

  // Chunk keys in the documents family.
  int StoredChunks() {
    int chunks = 0;
    EXPECT_TRUE(store_
                    ->ScanWorkflow(EvidenceStore::WorkflowFamily::kDocuments, "chunk/",
                                   [&](absl::string_view, absl::string_view) {
                                     ++chunks;
                                     return true;
                                   })
                    .ok());
    return chunks;
  }

  // Uploads `content` in pieces of `piece` bytes.
  absl::StatusOr<UploadedDocument> Upload(const std::string& content, size_t piece,
                                          uint64_t cap = 1 << 30) {
    std::unique_ptr<DocumentUpload> upload = documents_->StartUpload("dir/plan.txt", cap, "cap");
    for (size_t at = 0; at < content.size(); at += piece) {
      if (absl::Status s = upload->Append(absl::string_view(content).substr(at, piece)); !s.ok()) {
        upload->Abandon();
        return s;
      }
    }
    absl::StatusOr<UploadedDocument> done = upload->Finish();
    if (!done.ok()) upload->Abandon();
    return done;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'763'900'000)};
  test::TempDir dir_;
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<DocumentStore> documents_;
};

TEST_F(DocumentStoreTest, StoresAFileInChunksOnceByHashAndReadsItBack) {
  std::string content;
  while (content.size() < 2 * kDocumentChunkBytes + 1000) content += "Recovery plan, line.\n";
  absl::StatusOr<UploadedDocument> uploaded = Upload(content, 70'000);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status();
  EXPECT_EQ(uploaded->ref.file_name(), "plan.txt");
  EXPECT_EQ(uploaded->ref.size_bytes(), content.size());
  EXPECT_TRUE(IsTextType(uploaded->ref.media_type()));
  EXPECT_TRUE(IsSha256Hex(uploaded->ref.sha256_hex()));
  EXPECT_EQ(uploaded->record.chunks(), 3u);
  ASSERT_TRUE(store_->WriteWorkflow(DocumentStore::CommitWrites(*uploaded, false)).ok());

  // The same content again: committed as "already stored", its chunks go.
  absl::StatusOr<UploadedDocument> again = Upload(content, 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ref.sha256_hex(), uploaded->ref.sha256_hex());
  EXPECT_EQ(StoredChunks(), 6);
  ASSERT_TRUE(store_->WriteWorkflow(DocumentStore::CommitWrites(*again, true)).ok());
  EXPECT_EQ(StoredChunks(), 3);

  absl::StatusOr<std::optional<v1::StoredDocument>> found =
      documents_->Find(uploaded->ref.sha256_hex());
  ASSERT_TRUE(found.ok() && found->has_value());
  std::string read;
  ASSERT_TRUE(documents_
                  ->Read(**found,
                         [&](absl::string_view chunk) {
                           EXPECT_LE(chunk.size(), kDocumentChunkBytes);
                           read.append(chunk.data(), chunk.size());
                           return true;
                         })
                  .ok());
  EXPECT_EQ(read, content);
  EXPECT_FALSE(documents_->Find(std::string(64, 'a'))->has_value());
}

TEST_F(DocumentStoreTest, RefusedUploadsLeaveNoChunks) {
  const std::string big(3 * kDocumentChunkBytes, 'a');
  absl::StatusOr<UploadedDocument> over = Upload(big, 100'000, 2 * kDocumentChunkBytes);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.status().message(), HasSubstr("larger than cap"));
  EXPECT_EQ(StoredChunks(), 0);

  std::string binary(kDocumentChunkBytes + 10, 'a');
  binary[kDocumentChunkBytes + 5] = '\0';  // Binary after the first chunk was written.
  absl::StatusOr<UploadedDocument> not_text = Upload(binary, 4096);
  EXPECT_EQ(not_text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StoredChunks(), 0);

  EXPECT_THAT(Upload("", 10).status().message(), HasSubstr("'plan.txt' is empty"));
  EXPECT_EQ(Upload(std::string("\x7F"
                               "ELF",
                               4),
                   10)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StoredChunks(), 0);
}

}  // namespace
}  // namespace postura::collector
