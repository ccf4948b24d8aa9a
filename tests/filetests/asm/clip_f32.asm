# clip_f32 (array(float32, 1d, C), array(float32, 1d, C), np.float32, np.float32)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %rax
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %rax
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rcx
  movq 0x38(%rdi), %rax
  vmovss 0x40(%rdi), %xmm0
  vmovss 0x48(%rdi), %xmm0
  movl 4(%rdx), %eax
  leal 1(%rax), %r8d
  movl %r8d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r8d
  leal 1(%rax), %eax
  cmpl %r8d, %eax
  jnbe    label21; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %rax
  movq %rax, %r9
  addq $0x0, %r9
  seto %r8b
  cmpq %rsi, %r9
  setg %sil
  orl %r8d, %esi
  testb %sil, %sil
  jnz     label5; j label6
block6:
  movq %rax, %r8
  addq $0x0, %r8
  seto %sil
  cmpq %rcx, %r8
  setg %cl
  orl %esi, %ecx
  testb %cl, %cl
  jnz     label7; j label8
block8:
  movq 0x20(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  leaq (%rcx, %rsi, 4), %r8
  movq (%rdi), %rsi
  cmpq %rsi, %r8
  setbe %r10b
  leaq (%rsi, %rax, 4), %r8
  cmpq %rcx, %r8
  setbe %r8b
  orl %r8d, %r10d
  uninit  %r8
  xorq %r8, %r8
  leaq -8(%rax), %r11
  movabsq $0x8000000000000000, %r9
  cmpq (%rip), %rax
  cmovgeq %r11, %r9
  vmovss 0x48(%rdi), %xmm0
  vbroadcastss %xmm0, %xmm2
  vmovss 0x40(%rdi), %xmm1
  vbroadcastss %xmm1, %xmm3
  testb %r10b, %r10b
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label14
block11:
  cmpq %r9, %r8
  jnle    label12; j label13
block12:
  jmp     label14
block13:
  vmovups (%rsi, %r8, 4), %xmm4
  uninit  %xmm5
  vpcmpeqd %xmm5, %xmm5, %xmm5
  vpsrld $0x1, %xmm5, %xmm5
  vandps %xmm5, %xmm4, %xmm4
  vmaxps %xmm4, %xmm3, %xmm4
  vminps %xmm4, %xmm2, %xmm4
  vmovups %xmm4, (%rcx, %r8, 4)
  leaq 4(%r8), %rdi
  vmovups (%rsi, %rdi, 4), %xmm4
  uninit  %xmm5
  vpcmpeqd %xmm5, %xmm5, %xmm5
  vpsrld $0x1, %xmm5, %xmm5
  vandps %xmm5, %xmm4, %xmm4
  vmaxps %xmm4, %xmm3, %xmm4
  vminps %xmm4, %xmm2, %xmm4
  vmovups %xmm4, (%rcx, %rdi, 4)
  leaq 8(%r8), %r8
  jmp     label11
block14:
  jmp     label15
block15:
  cmpq %rax, %r8
  jnl     label18; j label16
block16:
  vmovss (%rsi, %r8, 4), %xmm2
  movl $0x7fffffff, %edi
  vmovd %edi, %xmm3
  vandps %xmm3, %xmm2, %xmm2
  vmaxss %xmm2, %xmm1, %xmm2
  vminss %xmm2, %xmm0, %xmm2
  vmovss %xmm2, (%rcx, %r8, 4)
  jmp     label17
block17:
  leaq 1(%r8), %r8
  jmp     label15
block18:
  jmp     label19
block19:
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label20
block7:
  jmp     label20
block20:
  movq (%rdi), %rsi
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %r9
  movq 0x18(%rdi), %r10
  movq %rsi, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %r9, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq 0x20(%rdi), %rsi
  movq 0x28(%rdi), %r8
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r10
  movq %rsi, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r10, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movq %rax, 0x60(%rdx)
  movq $0x1, 0x68(%rdx)
  movq $0x0, 0x70(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block21:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovss 0x40(%rdi), %xmm0
  vmovss %xmm0, 0x50(%rdx)
  vmovss 0x48(%rdi), %xmm0
  vmovss %xmm0, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq %rbp, %rsp
  popq %rbp
  retq
